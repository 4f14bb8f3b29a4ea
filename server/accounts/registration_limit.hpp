#pragma once
// How fast one address may create accounts: a token bucket per address, full at the start
// (a family or a classroom behind one NAT can sign up together), refilling steadily. Each
// registration costs an Argon2id hash and a row for good, so an address flooding sign-ups
// is slowed to the refill rate. Pure: time is passed in. Thread-safe.

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::server::accounts {

class registration_limit {
public:
    /// Addresses remembered at most; the longest idle are forgotten first, so an attacker
    /// rotating addresses cannot grow the server's memory. A forgotten address starts full,
    /// which gives such an attacker nothing that many addresses did not already give.
    static constexpr std::size_t max_keys = 100'000;

    /// `per_hour` registrations per address per hour, all of them at once if need be;
    /// 0 means no limit.
    explicit registration_limit(int per_hour) : per_hour_(std::max(per_hour, 0)) {}

    /// Takes one registration for `address` at `now_ms`: 0 when allowed (and counted),
    /// else the milliseconds until one will be.
    std::int64_t take(const std::string& address, std::int64_t now_ms) {
        if (per_hour_ == 0) return 0;
        std::lock_guard lock(mutex_);
        auto it = buckets_.find(address);
        if (it == buckets_.end()) {
            if (buckets_.size() >= max_keys) forget_oldest();
            it = buckets_.emplace(address, bucket{capacity(), now_ms}).first;
        }
        bucket& b = it->second;
        b.credit = std::min(capacity(), b.credit + std::max<std::int64_t>(now_ms - b.last_ms, 0) * per_hour_);
        b.last_ms = now_ms;
        if (b.credit >= hour_ms) {
            b.credit -= hour_ms;
            return 0;
        }
        return (hour_ms - b.credit + per_hour_ - 1) / per_hour_;
    }

    /// Returns the registration taken for `address` (it did not happen: the name was taken).
    void give_back(const std::string& address) {
        if (per_hour_ == 0) return;
        std::lock_guard lock(mutex_);
        if (auto it = buckets_.find(address); it != buckets_.end())
            it->second.credit = std::min(capacity(), it->second.credit + hour_ms);
    }

private:
    static constexpr std::int64_t hour_ms = 3'600'000;

    /// Credit is kept in integers: it grows by `per_hour_` each millisecond and one
    /// registration costs `hour_ms`, so the rate is exact for any hourly count.
    struct bucket {
        std::int64_t credit = 0;
        std::int64_t last_ms = 0;
    };

    std::int64_t capacity() const { return static_cast<std::int64_t>(per_hour_) * hour_ms; }

    void forget_oldest() {
        auto oldest = buckets_.begin();
        for (auto it = buckets_.begin(); it != buckets_.end(); ++it)
            if (it->second.last_ms < oldest->second.last_ms) oldest = it;
        if (oldest != buckets_.end()) buckets_.erase(oldest);
    }

    const int per_hour_;
    std::mutex mutex_;
    std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace parley::server::accounts
