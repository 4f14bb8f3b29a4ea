#pragma once
// The checks of a WebSocket upgrade request, before any WebSocket frame: which channel,
// whether to resume, whether the origin may connect, and the 101 answer. Pure functions
// of the request's fields, so they are tested without sockets. Whether a request is an
// upgrade at all is the routing decision (http/route.hpp).

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

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
    unsigned http_version = 11;  ///< as Beast gives it: 10 for HTTP/1.0, 11 for HTTP/1.1
    /// A handshake header that appears more than once (repeated_handshake_header); empty if none.
    std::string_view repeated_header;
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

/// The name of the first handshake header of RFC 6455 4.1 that appears more than once in
/// `fields`, or empty: Host, Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version,
/// Origin. Sec-WebSocket-Key and -Version must appear once (RFC 6455 11.3.1, 11.3.5), Host
/// once (RFC 9112 3.2), Origin once (RFC 6454 7.3); Upgrade and Connection are sent once by
/// every client, and a repeat only makes the request ambiguous. Sec-WebSocket-Protocol and
/// -Extensions may be repeated (RFC 6455 11.3.2, 11.3.4) and are not listed. Any thread.
std::string_view repeated_handshake_header(const boost::beast::http::fields& fields);

/// The upgrade_request view of a request's header (`target` and `http_version` as Beast
/// gives them); it points into `fields`, which must outlive it. Any thread.
upgrade_request upgrade_view_of(const boost::beast::http::fields& fields, std::string_view target,
                                unsigned http_version, bool tls);

/// Checks an upgrade request (PROTOCOL.md Transport and Details: Origin; docs/protocol.md,
/// Upgrade refusals), in this order: HTTP/1.1 or later, a non-empty Host, no repeated
/// handshake header (400); the path names a channel (400); the Origin (403); version 13
/// (426); a valid key (400); the query: well-formed, `since` and `token` at most once each,
/// `since` a canonical decimal message id (400). Any thread.
std::variant<upgrade_accepted, upgrade_refused> check_upgrade(const upgrade_request& request,
                                                              const std::vector<std::string>& allowed_origins,
                                                              std::string_view server_name);

}  // namespace parley::server
