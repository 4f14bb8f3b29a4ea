#pragma once
// The limits the sessions apply, and nothing else of the server's configuration: the
// server fills them in from its flags (app/server.cpp), so net/ does not see app/config.hpp.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "http/limits.hpp"
#include "parley/core/limits.hpp"

namespace parley::server {

/// What an HTTP or WebSocket session is allowed and allows. Built once at start-up, then
/// read-only; the defaults are the server's (app/config.hpp gives each its reason).
struct session_limits {
    std::size_t max_frame = limits::default_max_frame_bytes;  ///< a client message's payload, fragments summed
    double rate_limit = limits::default_rate_limit_per_s;     ///< posts/s per connection; 0: none
    double rate_burst = limits::default_rate_burst;           ///< posts a full bucket allows at once
    int max_channels_per_connection = 100;                    ///< sizes the request budget's burst
    int heartbeat_ms = limits::default_heartbeat_ms;          ///< the heartbeat period
    std::size_t send_queue_bytes = limits::default_send_queue_bytes;  ///< a connection's queue bound
    /// The time a client has for a request's header and body, and for the TLS handshake.
    std::chrono::milliseconds header_timeout = http_limits::header_read_timeout;
    std::vector<std::string> allowed_origins;  ///< browser origins besides the server's own
};

}  // namespace parley::server
