#pragma once
// What a chat_model is told at construction: where to connect, as whom, and every
// tunable with its reason. Plain values, read-only after construction.

#include <cstddef>
#include <cstdint>
#include <string>

#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"

namespace parley::client {

/// Reconnect delays: attempt n waits a random time in
/// [base_n * (1 - jitter), base_n], base_n = min(initial * 2^n, max).
struct backoff_config {
    /// 500 ms: a restarting server is usually back within a second or two.
    int initial_ms = 500;
    /// 30 s: a long outage is noticed within half a minute of its end, and a crowd of
    /// clients never hammers a server that is down.
    int max_ms = 30'000;
    /// Half of each delay is random, so clients dropped together do not return together.
    double jitter = 0.5;
};

/// A model's configuration. Built by the application from the page URL or command line.
struct model_config {
    /// Server base URL without path: "ws://127.0.0.1:8080" or "wss://chat.example".
    std::string server_url;
    /// The channel from the page path; joined by the connection's URL path, at once.
    std::string channel{default_channel};
    /// The name from `?name=` (or typed by the user); claimed as soon as connected.
    /// Empty: read-only until identify() is called.
    std::string user_name;
    /// Session token of an account (`?token=`); empty for a guest.
    std::string token;
    /// Seed of the model's random numbers (reconnect jitter, nonce prefix). The
    /// application passes a truly random value (a reloaded page must not reuse nonces:
    /// the server would answer a new message with an old stored one); tests a fixed one.
    std::uint64_t seed = 0;

    backoff_config backoff;
    /// A `taken` answer for one's own name is retried this often: after a reload, the
    /// old connection holds the name until the server notices it is gone.
    int taken_retry_interval_ms = 500;
    /// ...for this long, then the name is reported as taken (never swapped for another).
    /// 12 s covers a closed tab's TCP teardown and a dead server's names, which the others
    /// free within 10 s (docs/operations.md, Several servers); a dead tab shows up in the
    /// heartbeat's 30 s.
    int taken_retry_window_ms = 12000;
    /// Own typing notices are sent at most this often (the server relays no more anyway).
    int typing_send_interval_ms = limits::typing_relay_interval_ms;
    /// Others' typing notices are shown this long after the last one.
    int typing_display_ms = limits::typing_display_ms;
    /// A connection that has not opened and said `connection` within this time is given
    /// up and retried: 10 s is far beyond a healthy handshake, even over TLS on a phone.
    int connect_timeout_ms = 10'000;
    /// Messages waiting to be sent (typed offline, or awaiting their echo) per model:
    /// more than a person types during an outage, and a bound on memory.
    std::size_t max_pending_messages = 500;
    /// Messages kept per channel; older ones are dropped (and can be paged in again).
    /// 200,000 compact entries are ~30 MB: twice the 100,000 a busy channel must hold.
    std::size_t max_messages_per_channel = 200'000;
    /// Errors kept for the UI; the oldest go first. 50 is more than a screen shows.
    std::size_t max_errors = 50;
    /// Page size of "load older" and of resume paging: the protocol's largest page.
    int history_page = limits::max_history_limit;
};

}  // namespace parley::client
