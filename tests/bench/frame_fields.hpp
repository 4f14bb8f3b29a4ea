#pragma once
// Reading one string field out of a compact JSON frame without parsing it: the hot path
// that lets the benchmark keep up with a million frames a second. It relies on what
// compact JSON guarantees: inside a string every quote is escaped, so the byte sequence
// `"key":"` only occurs where a key starts. A frame written with spaces is not matched,
// and the caller falls back to the full codec.

#include <optional>
#include <string_view>

namespace parley::bench {

/// The raw (still escaped) value of string field `key` in `json`, where `key_prefix` is
/// `"key":"` spelled out, e.g. R"("type":")"; nullopt when absent or unterminated.
inline std::optional<std::string_view> find_string_field(std::string_view json, std::string_view key_prefix) {
    const std::size_t at = json.find(key_prefix);
    if (at == std::string_view::npos) return std::nullopt;
    const std::size_t start = at + key_prefix.size();
    std::size_t end = start;
    while (true) {
        end = json.find('"', end);
        if (end == std::string_view::npos) return std::nullopt;
        // A quote preceded by an odd number of backslashes is part of the value.
        std::size_t slashes = 0;
        while (end - slashes > start && json[end - slashes - 1] == '\\') ++slashes;
        if (slashes % 2 == 0) break;
        ++end;
    }
    return json.substr(start, end - start);
}

}  // namespace parley::bench
