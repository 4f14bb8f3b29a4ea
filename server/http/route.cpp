#include "http/route.hpp"

#include <string_view>

#include "http/url_path.hpp"
#include "parley/core/text.hpp"

namespace parley::server {
namespace {

namespace bhttp = boost::beast::http;

/// Whether a comma list (Connection, Upgrade) holds `token`, case-insensitive.
bool header_has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        std::string_view item = value.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (same_name(item, token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

bool any_line_has_token(const bhttp::fields& fields, bhttp::field name, std::string_view token) {
    for (auto [it, end] = fields.equal_range(name); it != end; ++it)
        if (header_has_token(it->value(), token)) return true;
    return false;
}

bool is_api_path(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

}  // namespace

bool is_websocket_upgrade(const bhttp::request_header<>& req) {
    return req.method() == bhttp::verb::get && any_line_has_token(req, bhttp::field::connection, "upgrade") &&
           any_line_has_token(req, bhttp::field::upgrade, "websocket");
}

route route_of(const bhttp::request_header<>& req) {
    if (is_websocket_upgrade(req)) return route::websocket;
    if (is_api_path(target_path(req.target()))) return route::api;
    return route::page;
}

}  // namespace parley::server
