#pragma once
// The per-connection posting limit (PROTOCOL.md, Rate limit): a token bucket that
// starts full. Pure: the caller passes the time, so tests need no clock.

#include <algorithm>
#include <cstdint>

namespace parley::server::chat {

/// A token bucket; `rate` 0 means unlimited. Not thread-safe: one per connection,
/// used on that connection's strand.
class token_bucket {
public:
    token_bucket(double rate_per_s, double burst) : rate_(rate_per_s), burst_(burst), tokens_(burst) {}

    /// Takes one token at `now_ms`; false when the bucket is empty (the post is refused).
    bool try_take(std::int64_t now_ms) {
        if (rate_ <= 0) return true;
        if (last_ms_ != 0 && now_ms > last_ms_)
            tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_ / 1000.0);
        last_ms_ = now_ms;
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

private:
    double rate_;
    double burst_;
    double tokens_;
    std::int64_t last_ms_ = 0;
};

}  // namespace parley::server::chat
