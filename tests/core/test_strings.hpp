#pragma once
// Builders for the long and hostile strings the core tests feed the codec.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley::test {

/// U+1F600, four bytes in UTF-8: the code-point limit is in code points, not bytes.
inline constexpr std::string_view emoji = "\xF0\x9F\x98\x80";
/// The same code point as a JSON surrogate-pair escape (12 bytes on the wire).
inline constexpr std::string_view emoji_escaped = "\\ud83d\\ude00";

/// `piece` repeated `count` times.
inline std::string repeat(std::string_view piece, std::size_t count) {
    std::string out;
    out.reserve(piece.size() * count);
    for (std::size_t i = 0; i < count; ++i) out += piece;
    return out;
}

/// `depth` nested JSON arrays around `inner`: nested(2, "1") is "[[1]]".
inline std::string nested_arrays(std::size_t depth, std::string_view inner = "") {
    return repeat("[", depth) + std::string(inner) + repeat("]", depth);
}

/// The text of a std::optional<std::string> for failure messages.
inline std::string show(const std::optional<std::string>& text) {
    return text ? "\"" + *text + "\"" : std::string("(none)");
}

}  // namespace parley::test
