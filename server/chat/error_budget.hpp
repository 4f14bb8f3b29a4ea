#pragma once
// The budget of malformed frames (PROTOCOL.md, Details: Protocol errors): twenty in
// any 60 s are answered, the 21st closes the connection with 1008. Pure: the caller
// passes the time.

#include <array>
#include <cstdint>

#include "parley/core/limits.hpp"

namespace parley::server::chat {

/// A sliding window over the times of the last `protocol_error_budget` malformed frames.
/// Not thread-safe; the owner serialises calls.
class error_budget {
public:
    /// Records a malformed frame at `now_ms`; false when it exceeds the budget (close 1008).
    bool record(std::int64_t now_ms) {
        // times_ is a ring of the last N errors; the oldest is at next_. If it is still
        // inside the window, this error is the (N+1)th within it.
        const std::int64_t oldest = times_[next_];
        const bool exceeded = count_ == times_.size() && now_ms - oldest < limits::protocol_error_window_ms;
        times_[next_] = now_ms;
        next_ = (next_ + 1) % times_.size();
        if (count_ < times_.size()) ++count_;
        return !exceeded;
    }

private:
    std::array<std::int64_t, limits::protocol_error_budget> times_{};
    std::size_t next_ = 0;
    std::size_t count_ = 0;
};

}  // namespace parley::server::chat
