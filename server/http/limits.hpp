#pragma once
// Limits of the plain HTTP side, in one place, each with its reason. The http session
// applies them (parser limits, timers); the router relies on them being applied.
//
// A namespace of its own rather than parley::server::http: sessions conventionally write
// `namespace http = boost::beast::http;`, which a parley::server::http namespace would clash with.

#include <chrono>
#include <cstddef>

namespace parley::server::http_limits {

/// Largest request header block. Browsers send 1-2 KB; 8 KiB also fits a long token and cookie,
/// and stops a client from making the parser buffer megabytes.
inline constexpr std::size_t max_request_header_bytes = 8 * 1024;

/// Largest request body (the /api JSON bodies: a name and a password of at most 1,024 bytes,
/// escaped); bigger bodies are refused before they are read.
inline constexpr std::size_t max_request_body_bytes = 16 * 1024;

/// How long a keep-alive connection may sit idle between requests: browsers reuse connections
/// within seconds, and an idle socket is held memory and a file descriptor.
inline constexpr std::chrono::seconds keep_alive_idle_timeout{30};

/// How long a client has to send a complete request header once it started one, so a
/// slow-loris that trickles a byte at a time cannot hold the connection open.
inline constexpr std::chrono::seconds header_read_timeout{10};

/// How long a client on a TLS port has to finish the TLS handshake after connecting: the same
/// as for a request header, so a client that connects and sends nothing holds no more.
inline constexpr std::chrono::seconds tls_handshake_timeout = header_read_timeout;

}  // namespace parley::server::http_limits
