#include "net/upgrade.hpp"

#include <utility>

#include "http/origin.hpp"
#include "http/query.hpp"
#include "http/url_path.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "ws/handshake.hpp"

namespace parley::server {

namespace bhttp = boost::beast::http;

upgrade_request upgrade_view_of(const boost::beast::http::fields& fields, std::string_view target,
                                unsigned http_version, bool tls) {
    namespace http = boost::beast::http;
    upgrade_request view;
    view.target = target;
    view.host = fields[http::field::host];
    view.origin = fields[http::field::origin];
    view.version = fields[http::field::sec_websocket_version];
    view.key = fields[http::field::sec_websocket_key];
    view.tls = tls;
    view.http_version = http_version;
    view.repeated_header = repeated_handshake_header(fields);
    return view;
}

std::string_view repeated_handshake_header(const bhttp::fields& fields) {
    static constexpr std::pair<bhttp::field, std::string_view> once[] = {
        {bhttp::field::host, "Host"},
        {bhttp::field::upgrade, "Upgrade"},
        {bhttp::field::connection, "Connection"},
        {bhttp::field::sec_websocket_key, "Sec-WebSocket-Key"},
        {bhttp::field::sec_websocket_version, "Sec-WebSocket-Version"},
        {bhttp::field::origin, "Origin"},
    };
    for (const auto& [field, name] : once)
        if (fields.count(field) > 1) return name;
    return {};
}

std::variant<upgrade_accepted, upgrade_refused> check_upgrade(const upgrade_request& request,
                                                              const std::vector<std::string>& allowed_origins,
                                                              std::string_view server_name) {
    // RFC 6455 4.2.1: an HTTP/1.1 (or higher) GET with a Host; anything else is 400.
    if (request.http_version < 11) return upgrade_refused{400, "a WebSocket upgrade needs HTTP/1.1"};
    if (request.host.empty()) return upgrade_refused{400, "a WebSocket upgrade needs a Host header"};
    if (!request.repeated_header.empty())
        return upgrade_refused{400, std::string(request.repeated_header) + " header given more than once"};

    const std::string_view path = target_path(request.target);
    auto channel = channel_from_path(path);
    if (!channel) return upgrade_refused{400, "no such channel: channel names match ^[a-z0-9][a-z0-9_-]{0,31}$"};

    // Cross-site WebSocket hijacking: a browser page of another origin may not connect.
    if (!origin_allowed(request.origin, request.host, request.tls, allowed_origins))
        return upgrade_refused{403, "origin not allowed"};

    if (request.version != "13") return upgrade_refused{426, "WebSocket version 13 required"};
    if (!ws::is_valid_client_key(request.key)) return upgrade_refused{400, "invalid Sec-WebSocket-Key"};

    const auto params = parse_query(target_query(request.target));
    if (!params) return upgrade_refused{400, "malformed query: a % must be followed by two hex digits"};
    const query_lookup since = find_param(*params, "since");
    const query_lookup token = find_param(*params, "token");
    if (since.count > 1) return upgrade_refused{400, "since given more than once"};
    if (token.count > 1) return upgrade_refused{400, "token given more than once"};

    upgrade_accepted accepted;
    accepted.channel = std::move(*channel);
    if (since.count == 1) {
        accepted.since = parse_canonical_decimal(since.value, limits::max_message_id);
        if (!accepted.since)
            return upgrade_refused{400, "since must be a message id: digits only, no sign, no leading zeros"};
    }
    if (token.count == 1) accepted.token = std::string(token.value);

    accepted.response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    accepted.response += "Sec-WebSocket-Accept: " + ws::accept_key(request.key) + "\r\n";
    accepted.response += "Server: " + std::string(server_name) + "\r\n\r\n";
    return accepted;
}

}  // namespace parley::server
