#include "http/header_values.hpp"

#include <cstddef>
#include <optional>

namespace parley::server {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

/// Whether a qvalue (RFC 9110 12.4.2: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"]) is above zero;
/// nullopt when it is malformed.
std::optional<bool> qvalue_positive(std::string_view q) {
    if (q.empty() || (q[0] != '0' && q[0] != '1')) return std::nullopt;
    bool positive = q[0] == '1';
    if (q.size() == 1) return positive;
    if (q[1] != '.' || q.size() > 5) return std::nullopt;
    for (std::size_t i = 2; i < q.size(); ++i) {
        if (q[i] < '0' || q[i] > '9') return std::nullopt;
        if (q[0] == '1' && q[i] != '0') return std::nullopt;
        if (q[i] != '0') positive = true;
    }
    return positive;
}

/// Whether one Accept-Encoding element's parameters leave it acceptable (q absent or > 0).
bool element_acceptable(std::string_view params) {
    while (!params.empty()) {
        const std::size_t semi = params.find(';');
        const std::string_view param = trim(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        const std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        if (!iequals(trim(param.substr(0, eq)), "q")) continue;
        const std::optional<bool> positive = qvalue_positive(trim(param.substr(eq + 1)));
        return positive.value_or(false);
    }
    return true;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
    std::optional<bool> gzip;      // the first explicit gzip / x-gzip element
    std::optional<bool> wildcard;  // the first "*" element
    while (!accept_encoding.empty()) {
        const std::size_t comma = accept_encoding.find(',');
        const std::string_view element = accept_encoding.substr(0, comma);
        accept_encoding =
            comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
        const std::size_t semi = element.find(';');
        const std::string_view coding = trim(element.substr(0, semi));
        const std::string_view params =
            semi == std::string_view::npos ? std::string_view{} : element.substr(semi + 1);
        if (!gzip && (iequals(coding, "gzip") || iequals(coding, "x-gzip")))
            gzip = element_acceptable(params);
        else if (!wildcard && coding == "*")
            wildcard = element_acceptable(params);
    }
    if (gzip) return *gzip;
    return wildcard.value_or(false);
}

bool if_none_match_matches(std::string_view if_none_match, std::string_view etag) {
    if_none_match = trim(if_none_match);
    if (if_none_match == "*") return true;
    if (etag.size() < 2) return false;
    std::size_t i = 0;
    while (i < if_none_match.size()) {
        while (i < if_none_match.size() && (is_space(if_none_match[i]) || if_none_match[i] == ',')) ++i;
        if (i == if_none_match.size()) break;
        if (if_none_match.compare(i, 2, "W/") == 0) i += 2;
        if (i == if_none_match.size() || if_none_match[i] != '"') return false;  // malformed list
        const std::size_t close = if_none_match.find('"', i + 1);
        if (close == std::string_view::npos) return false;
        if (if_none_match.substr(i, close - i + 1) == etag) return true;
        i = close + 1;
    }
    return false;
}

}  // namespace parley::server
