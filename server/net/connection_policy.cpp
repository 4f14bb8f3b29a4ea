#include "net/connection_policy.hpp"

#include <algorithm>
#include <memory>

#include "parley/core/codec.hpp"
#include "ws/frame.hpp"

namespace parley::server {
namespace {

/// Every frame a connection sends, of any type, is charged to a request budget before it is
/// decoded, so no kind of frame (heartbeat replies, joins, history requests) can be sent
/// back to back at no cost. It is five times the posting rate, and its burst lets a
/// reconnecting client rejoin its every channel and page their history at once.
chat::token_bucket make_request_budget(const session_limits& limits) {
    const double burst =
        std::max(limits.rate_burst * 5, static_cast<double>(limits.max_channels_per_connection) * 2 + 20);
    return chat::token_bucket(limits.rate_limit * 5, burst);
}

/// Posting messages (PROTOCOL.md, Rate limit): the frames the posting bucket limits.
bool is_post(const client_message& m) {
    return std::holds_alternative<post_message>(m) || std::holds_alternative<edit_request>(m) ||
           std::holds_alternative<delete_request>(m) || std::holds_alternative<typing_request>(m);
}

}  // namespace

connection_policy::connection_policy(const session_limits& limits)
    : posts_(limits.rate_limit, limits.rate_burst),
      requests_(make_request_budget(limits)),
      heartbeat_ms_(limits.heartbeat_ms) {}

connection_policy::~connection_policy() {
    delete errors_.load(std::memory_order_acquire);
}

policy::action connection_policy::on_text(std::string_view payload, std::int64_t now_ms) {
    const bool within_budget = requests_.try_take(now_ms);
    auto decoded = decode_client_frame(payload);
    if (!within_budget) {
        // Refused whatever it is; decoded only so that the answer names the request (`ref`)
        // and the client can clear what it waits for (a join, a history page). A frame
        // too broken to name one is not charged to the malformed-frame budget either.
        std::optional<std::string> ref = decoded ? std::move(decoded.value().nonce) : std::move(decoded.error().ref);
        return refuse(error_code::rate_limited, "too many requests: slow down", std::move(ref), now_ms);
    }
    if (!decoded) {
        auto& e = decoded.error();
        return refuse(e.code, std::move(e.message), std::move(e.ref), now_ms);
    }
    client_frame& frame = decoded.value();
    if (std::holds_alternative<heartbeat_reply>(frame.message)) {
        unanswered_heartbeats_ = 0;
        return policy::ignore{};
    }
    if (is_post(frame.message) && !posts_.try_take(now_ms))
        return refuse(error_code::rate_limited, "slow down", std::move(frame.nonce), now_ms);
    return policy::to_hub{std::move(frame)};
}

policy::action connection_policy::on_binary(std::int64_t now_ms) {
    if (!requests_.try_take(now_ms))
        return refuse(error_code::rate_limited, "too many requests: slow down", std::nullopt, now_ms);
    return refuse(error_code::invalid_message, "binary frames are not accepted: send JSON in text frames",
                  std::nullopt, now_ms);
}

policy::action connection_policy::on_ping(std::string_view payload) const {
    return policy::answer_pong{std::string(payload)};
}

policy::action connection_policy::on_close(std::uint16_t code) const {
    // A close without a code (no_status) is answered without one.
    return policy::close_with{code, ""};
}

policy::action connection_policy::on_failure(std::uint16_t code) const {
    const char* why = code == ws::close_code::message_too_big  ? "message too big"
                      : code == ws::close_code::invalid_payload ? "invalid UTF-8"
                                                                : "protocol error";
    return policy::close_with{code, why};
}

policy::action connection_policy::on_heartbeat_due() {
    if (unanswered_heartbeats_ >= limits::missed_heartbeats_before_close)
        return policy::close_with{ws::close_code::going_away, "heartbeat timeout"};
    ++unanswered_heartbeats_;
    return policy::send_heartbeat{};
}

std::chrono::milliseconds connection_policy::first_heartbeat_delay(std::uint32_t random) const {
    const int half = heartbeat_ms_ / 2;
    return std::chrono::milliseconds(half + static_cast<int>(random % static_cast<std::uint32_t>(half + 1)));
}

bool connection_policy::charge_error(std::int64_t now_ms) {
    error_window* window = errors_.load(std::memory_order_acquire);
    if (window == nullptr) {
        // Two threads may charge the first error at once: one window wins, the other is freed.
        auto fresh = std::make_unique<error_window>();
        if (errors_.compare_exchange_strong(window, fresh.get(), std::memory_order_acq_rel,
                                            std::memory_order_acquire))
            window = fresh.release();
    }
    std::lock_guard lock(window->mutex);
    return window->budget.record(now_ms);
}

policy::close_with connection_policy::over_error_budget() {
    return policy::close_with{ws::close_code::policy_violation, "too many malformed frames"};
}

policy::action connection_policy::refuse(error_code code, std::string message, std::optional<std::string> ref,
                                         std::int64_t now_ms) {
    // The 21st malformed frame within the window is not answered: it closes the connection.
    if (counts_toward_error_budget(code) && !charge_error(now_ms)) return over_error_budget();
    return policy::answer_error{code, std::move(message), std::move(ref)};
}

}  // namespace parley::server
