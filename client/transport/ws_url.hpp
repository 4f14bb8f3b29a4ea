#pragma once
// Splits a ws:// or wss:// URL into what a socket client needs. Pure; native transport only
// (the browser parses URLs itself).

#include <optional>
#include <string>
#include <string_view>

namespace parley::client {

/// The parts of a WebSocket URL.
struct ws_url {
    bool tls = false;    ///< wss://
    std::string host;    ///< without brackets for IPv6 ("::1")
    std::string port;    ///< "80"/"443" when the URL names none
    std::string target;  ///< path and query, at least "/"
    /// The Host header value: the host (bracketed if IPv6), with ":port" when not the default.
    std::string host_header() const;
};

/// Parses "ws://host[:port][/path][?query]" (or wss://); nullopt for anything else.
std::optional<ws_url> parse_ws_url(std::string_view url);

}  // namespace parley::client
