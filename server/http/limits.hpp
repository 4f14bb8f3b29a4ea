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

/// How long a client has to send a complete request once its first byte arrived, on a new
/// connection and on every later request of a kept-alive one, so a slow-loris that trickles
/// a byte at a time cannot hold the connection open. The default of server_config's
/// header_timeout_ms (--header-timeout-ms), which the session applies.
inline constexpr std::chrono::seconds header_read_timeout{10};

/// How long a client on a TLS port has to finish the TLS handshake after connecting: the same
/// as for a request header (also header_timeout_ms), so a client that connects and sends
/// nothing holds no more.
inline constexpr std::chrono::seconds tls_handshake_timeout = header_read_timeout;

/// Bytes asked for when a kept-alive connection waits for its next request: the first read
/// only marks the request's start (its header deadline begins); the parser reads the rest.
inline constexpr std::size_t first_read_bytes = 2048;

/// The Retry-After of a 429 to an upgrade over the per-address connection limit: a closed tab
/// frees its slot at once, so a short wait is enough, and it keeps a reconnect loop slow.
inline constexpr std::chrono::seconds connection_limit_retry_after{10};

}  // namespace parley::server::http_limits
