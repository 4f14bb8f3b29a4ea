#include "http/query.hpp"

#include <limits>

#include "http/url_path.hpp"

namespace parley::server {
namespace {

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (text.size() - i < 3) return std::nullopt;
        const int hi = hex_digit_value(text[i + 1]);
        const int lo = hex_digit_value(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

}  // namespace

std::string_view target_query(std::string_view target) {
    // A '?' after a '#' is inside the fragment: target_path ends the path at the first of
    // the two, so a '#' first means there is no query (found by fuzz_handshake: the
    // fragment of "/a#b?since=1" was read as the query while the path was "/a").
    const std::size_t question = target.find_first_of("?#");
    if (question == std::string_view::npos || target[question] == '#') return {};
    std::string_view query = target.substr(question + 1);
    return query.substr(0, query.find('#'));
}

std::optional<std::vector<query_param>> parse_query(std::string_view query) {
    std::vector<query_param> params;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        if (!pair.empty()) {
            const std::size_t eq = pair.find('=');
            auto name = percent_decode(pair.substr(0, eq));
            auto value =
                percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
            if (!name || !value) return std::nullopt;
            params.push_back({std::move(*name), std::move(*value)});
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return params;
}

query_lookup find_param(const std::vector<query_param>& params, std::string_view name) {
    query_lookup found;
    for (const query_param& p : params) {
        if (p.name != name) continue;
        if (found.count++ == 0) found.value = p.value;
    }
    return found;
}

std::optional<std::int64_t> parse_canonical_decimal(std::string_view text, std::int64_t max) {
    // 19 digits hold every int64 up to 9,223,372,036,854,775,807; the digit loop checks the rest.
    if (text.empty() || text.size() > 19 || max < 0) return std::nullopt;
    if (text.size() > 1 && text.front() == '0') return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const int digit = c - '0';
        if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    if (value > max) return std::nullopt;
    return value;
}

}  // namespace parley::server
