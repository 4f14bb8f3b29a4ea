#include "net/upgrade.hpp"

#include <charconv>

#include "http/origin.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "ws/handshake.hpp"

namespace parley::server {
namespace {

/// The value of `name` in a query string ("a=1&b=2"), undecoded; nullopt when absent.
std::optional<std::string_view> query_value(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::optional<message_id> parse_id(std::string_view text) {
    message_id value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > limits::max_message_id)
        return std::nullopt;
    return value;
}

}  // namespace

std::variant<upgrade_accepted, upgrade_refused> check_upgrade(const upgrade_request& request,
                                                              const std::vector<std::string>& allowed_origins,
                                                              std::string_view server_name) {
    const auto question = request.target.find('?');
    const std::string_view path = request.target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view() : request.target.substr(question + 1);

    auto channel = channel_from_path(path);
    if (!channel) return upgrade_refused{400, "no such channel: channel names match ^[a-z0-9][a-z0-9_-]{0,31}$"};

    // Cross-site WebSocket hijacking: a browser page of another origin may not connect.
    if (!origin_allowed(request.origin, request.host, request.tls, allowed_origins))
        return upgrade_refused{403, "origin not allowed"};

    if (request.version != "13") return upgrade_refused{426, "WebSocket version 13 required"};
    if (!ws::is_valid_client_key(request.key)) return upgrade_refused{400, "invalid Sec-WebSocket-Key"};

    upgrade_accepted accepted;
    accepted.channel = std::move(*channel);
    if (auto since = query_value(query, "since")) {
        accepted.since = parse_id(*since);
        if (!accepted.since) return upgrade_refused{400, "since must be a message id"};
    }
    if (auto token = query_value(query, "token")) accepted.token = std::string(*token);

    accepted.response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    accepted.response += "Sec-WebSocket-Accept: " + ws::accept_key(request.key) + "\r\n";
    accepted.response += "Server: " + std::string(server_name) + "\r\n\r\n";
    return accepted;
}

}  // namespace parley::server
