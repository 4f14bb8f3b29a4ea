#pragma once
// What one WebSocket connection's incoming frames and heartbeat timer mean, before the hub
// sees anything: decode, the request budget, the posting rate limit, the malformed-frame
// budget, and the heartbeat bookkeeping. Pure: the time is a parameter and the answer is a
// value (policy_action), so every decision is tested without sockets or clocks
// (tests/server/net_connection_policy_test.cpp). The session (net/ws_session.hpp) carries
// the answer out.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chat/error_budget.hpp"
#include "chat/token_bucket.hpp"
#include "net/session_limits.hpp"
#include "parley/core/error_code.hpp"
#include "parley/core/messages.hpp"

namespace parley::server {

/// The policy's answers: what the session does next.
namespace policy {
/// Nothing to send (a heartbeat reply was taken, a pong arrived).
struct ignore {
    bool operator==(const ignore&) const = default;
};
/// Hand the decoded frame to the hub (chat::hub::handle).
struct to_hub {
    client_frame frame;
};
/// Answer with an `error` frame; it is already charged to the malformed-frame budget.
struct answer_error {
    error_code code;
    std::string message;
    std::optional<std::string> ref;  ///< the request's nonce, when known
    bool operator==(const answer_error&) const = default;
};
/// Answer a ping with a pong carrying `payload`.
struct answer_pong {
    std::string payload;
    bool operator==(const answer_pong&) const = default;
};
/// Send a heartbeat frame (its `authenticated` is the hub's to know: connection::is_named).
struct send_heartbeat {
    bool operator==(const send_heartbeat&) const = default;
};
/// Start the closing handshake with `code` (and `reason`, empty for an echoed close).
struct close_with {
    std::uint16_t code = 0;
    std::string reason;
    bool operator==(const close_with&) const = default;
};
using action = std::variant<ignore, to_hub, answer_error, answer_pong, send_heartbeat, close_with>;
}  // namespace policy

/// The rules of one connection. Owned by its session. Every member but charge_error() is
/// called from the session's strand only; charge_error() is also called by the hub (any
/// thread) and takes a lock of its own.
class connection_policy {
public:
    explicit connection_policy(const session_limits& limits);
    ~connection_policy();
    connection_policy(const connection_policy&) = delete;
    connection_policy& operator=(const connection_policy&) = delete;

    /// A complete text message arrived at `now_ms` (monotonic): charged to the request
    /// budget, decoded, a post charged to the posting bucket. Over the request budget it is
    /// refused with rate_limited, its nonce as `ref` when it has one.
    policy::action on_text(std::string_view payload, std::int64_t now_ms);
    /// A complete binary message arrived: charged like any request, refused as invalid.
    policy::action on_binary(std::int64_t now_ms);
    /// A ping arrived: answered with a pong carrying its payload (RFC 6455 5.5.3).
    policy::action on_ping(std::string_view payload) const;
    /// The peer's close frame arrived: echo its code (RFC 6455 5.5.1), no reason.
    policy::action on_close(std::uint16_t code) const;
    /// The frame parser found a protocol violation: close with its `code` (1002, 1007, 1009).
    policy::action on_failure(std::uint16_t code) const;

    /// The heartbeat timer fired: send one, or close (1001) a peer that left the last
    /// missed_heartbeats_before_close unanswered.
    policy::action on_heartbeat_due();
    /// When the first heartbeat is due, from a random number: spread over the second half
    /// of the period, so that a server's connections do not all tick at once.
    std::chrono::milliseconds first_heartbeat_delay(std::uint32_t random) const;
    /// The time between heartbeats after the first.
    std::chrono::milliseconds heartbeat_period() const { return std::chrono::milliseconds(heartbeat_ms_); }

    /// Charges a malformed frame at `now_ms` to the budget (PROTOCOL.md, Details: Protocol
    /// errors); false when it is over: the connection must close with over_error_budget().
    /// Any thread.
    bool charge_error(std::int64_t now_ms);
    /// The close for a connection over its malformed-frame budget.
    static policy::close_with over_error_budget();

private:
    /// An error answer for `code`, charged to the budget when the code counts toward it.
    policy::action refuse(error_code code, std::string message, std::optional<std::string> ref, std::int64_t now_ms);

    chat::token_bucket posts_;     ///< message, edit, delete, typing (PROTOCOL.md, Rate limit)
    chat::token_bucket requests_;  ///< every data frame, charged whatever it holds
    int heartbeat_ms_;
    int unanswered_heartbeats_ = 0;
    /// The malformed-frame budget with the lock that guards it (the hub charges it from
    /// its strand). Made at the first malformed frame: most connections never send one,
    /// and the window of times and its mutex (some 220 bytes) would sit in every idle one.
    struct error_window {
        std::mutex mutex;
        chat::error_budget budget;
    };
    std::atomic<error_window*> errors_{nullptr};  ///< owned; set once, by whoever charges first
};

}  // namespace parley::server
