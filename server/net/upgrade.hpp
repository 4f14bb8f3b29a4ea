#pragma once
// The checks of a WebSocket upgrade request, before any WebSocket frame: which channel,
// whether to resume, whether the origin may connect, and the 101 answer. Pure functions
// of the request's fields, so they are tested without sockets.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parley/core/messages.hpp"

namespace parley::server {

/// The parts of an upgrade request the checks read (views into the request).
struct upgrade_request {
    std::string_view target;     ///< path and query, e.g. "/fishing?since=10"
    std::string_view host;       ///< the Host header
    std::string_view origin;     ///< the Origin header; empty when absent
    std::string_view version;    ///< Sec-WebSocket-Version
    std::string_view key;        ///< Sec-WebSocket-Key
    bool tls = false;            ///< whether the request came over TLS (for the own origin)
};

/// A request that may upgrade: the channel to join and the resume point.
struct upgrade_accepted {
    std::string channel;
    std::optional<message_id> since;
    std::optional<std::string> token;
    std::string response;  ///< the complete "101 Switching Protocols" answer
};

/// A request that may not: the HTTP status and a one-line reason for the body.
struct upgrade_refused {
    unsigned status = 400;
    std::string reason;
};

/// Checks an upgrade request (PROTOCOL.md Transport and Details: Origin). Any thread.
std::variant<upgrade_accepted, upgrade_refused> check_upgrade(const upgrade_request& request,
                                                              const std::vector<std::string>& allowed_origins,
                                                              std::string_view server_name);

}  // namespace parley::server
