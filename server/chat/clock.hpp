#pragma once
// Time as the hub sees it: wall-clock milliseconds for timestamps, monotonic milliseconds for
// limits, and callbacks after a delay. The hub reads time only through chat::clock, so tests
// drive it with a manual clock (tests/server/support/manual_clock.hpp) and never sleep.

#include <chrono>
#include <cstdint>
#include <functional>

namespace parley::server::chat {

/// Unix time in milliseconds: message timestamps and edited_at.
inline std::int64_t unix_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// Monotonic milliseconds: rate limits, budgets and typing throttles (immune to clock steps).
inline std::int64_t steady_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

/// The hub's source of time. Owned by the server (or a test); outlives the hub. Every
/// member may be called from any thread.
class clock {
public:
    clock() = default;
    clock(const clock&) = delete;
    clock& operator=(const clock&) = delete;
    virtual ~clock() = default;

    /// Unix milliseconds (timestamps, edited_at, ban expiry).
    virtual std::int64_t unix_ms() const = 0;
    /// Monotonic milliseconds (throttles and intervals).
    virtual std::int64_t steady_ms() const = 0;
    /// Calls `f` once, `delay` from now, on a thread of the clock's choosing (the caller
    /// posts onward to its strand). Pending calls may be dropped unrun when the clock or its
    /// event loop goes away, so `f` must not be the only owner of anything that needs a run.
    virtual void call_after(std::chrono::milliseconds delay, std::function<void()> f) = 0;
};

}  // namespace parley::server::chat
