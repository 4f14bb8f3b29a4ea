#pragma once
// Wall-clock time for timestamps, and a monotonic clock for limits.

#include <chrono>
#include <cstdint>

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

}  // namespace parley::server::chat
