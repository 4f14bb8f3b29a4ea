#include "http/request_framing.hpp"

#include <string_view>
#include <vector>

#include "parley/core/text.hpp"

namespace parley::server {
namespace {

namespace bhttp = boost::beast::http;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Every transfer coding named, over all Transfer-Encoding lines, in order; empty list
/// elements (", ,") are skipped as RFC 9110 5.6.1 asks. A coding's parameters stay attached
/// ("chunked;x=1" is not chunked: chunked takes none).
std::vector<std::string_view> transfer_codings(const bhttp::fields& fields) {
    std::vector<std::string_view> codings;
    for (auto [it, end] = fields.equal_range(bhttp::field::transfer_encoding); it != end; ++it) {
        std::string_view value = it->value();
        while (true) {
            const std::size_t comma = value.find(',');
            const std::string_view item = trim(value.substr(0, comma));
            if (!item.empty()) codings.push_back(item);
            if (comma == std::string_view::npos) break;
            value.remove_prefix(comma + 1);
        }
    }
    return codings;
}

}  // namespace

std::optional<framing_problem> check_request_framing(const bhttp::fields& fields, unsigned version) {
    const std::size_t hosts = fields.count(bhttp::field::host);
    if (hosts == 0 && version >= 11) return framing_problem{400, "Host header required"};
    if (hosts > 1) return framing_problem{400, "more than one Host header"};

    if (fields.count(bhttp::field::transfer_encoding) == 0) return std::nullopt;
    if (fields.count(bhttp::field::content_length) != 0)
        return framing_problem{400, "Transfer-Encoding and Content-Length together"};
    if (version < 11) return framing_problem{400, "Transfer-Encoding in an HTTP/1.0 request"};

    const std::vector<std::string_view> codings = transfer_codings(fields);
    if (codings.empty() || !same_name(codings.back(), "chunked"))
        return framing_problem{400, "the last transfer coding must be chunked"};
    for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
        if (same_name(codings[i], "chunked")) return framing_problem{400, "chunked applied more than once"};
    }
    if (codings.size() > 1) return framing_problem{501, "no transfer coding but chunked is supported"};
    return std::nullopt;
}

}  // namespace parley::server
