#include "model/backoff.hpp"

#include <algorithm>

namespace parley::client {

std::uint64_t seeded_random::next() {
    // splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and well mixed even for seed 0.
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double seeded_random::unit() {
    // The top 53 bits fill a double's mantissa exactly, so the result is below 1.
    return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);
}

int backoff::base_delay_ms(int n) const {
    const long long ceiling = std::max(config_.max_ms, 1);
    long long base = std::max(config_.initial_ms, 1);
    // Doubling stops at the ceiling, so a long outage never overflows.
    for (int i = 0; i < n && base < ceiling; ++i) base *= 2;
    return static_cast<int>(std::min(base, ceiling));
}

int backoff::next_delay_ms() {
    const int base = base_delay_ms(attempts_);
    ++attempts_;
    const double jitter = std::clamp(config_.jitter, 0.0, 1.0);
    const double delay = base * (1.0 - jitter * random_.unit());
    return std::max(1, static_cast<int>(delay));
}

}  // namespace parley::client
