#pragma once
// Reconnect delays: exponential growth with random jitter, from a seeded generator so
// tests see the same sequence every run.

#include <cstdint>

#include "model/model_config.hpp"

namespace parley::client {

/// A small deterministic generator (splitmix64): the same on every platform for a seed.
class seeded_random {
public:
    explicit seeded_random(std::uint64_t seed) : state_(seed) {}
    /// The next 64 random bits.
    std::uint64_t next();
    /// A uniform value in [0, 1).
    double unit();

private:
    std::uint64_t state_;
};

/// Counts failed attempts and says how long to wait before the next. Owned by the model.
class backoff {
public:
    backoff(backoff_config config, std::uint64_t seed) : config_(config), random_(seed) {}

    /// The delay before the next attempt, in ms, and counts the attempt. Attempt n (from 0)
    /// waits in [base * (1 - jitter), base] with base = min(initial * 2^n, max).
    int next_delay_ms();
    /// Forgets the failures (after a connection that worked).
    void reset() { attempts_ = 0; }
    /// Attempts since the last reset().
    int attempts() const { return attempts_; }
    /// The un-jittered delay of attempt `n`: min(initial * 2^n, max).
    int base_delay_ms(int n) const;
    /// Random bits from the same generator (the model's nonce prefix).
    std::uint64_t random_bits() { return random_.next(); }

private:
    backoff_config config_;
    seeded_random random_;
    int attempts_ = 0;
};

}  // namespace parley::client
