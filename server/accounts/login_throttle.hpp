#pragma once
// Login throttling (PROTOCOL.md, Details: Accounts): per account and per address, the
// first 5 failures are free, then each further one doubles the wait (1 s, 2 s, 4 s ...
// up to 15 min). A success clears the account's count. Pure: time is passed in.

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::server::accounts {

/// Failure counts by key ("a:<folded name>", "ip:<address>"). Thread-safe.
class login_throttle {
public:
    /// Failures allowed before waits begin: a person mistyping a password is never slowed.
    static constexpr int free_failures = 5;
    /// The longest wait: long enough to make guessing hopeless, short enough to forgive.
    static constexpr std::int64_t max_wait_ms = 15 * 60 * 1000;
    /// Keys remembered at most; the oldest are forgotten first (an attacker rotating names
    /// cannot grow the server's memory).
    static constexpr std::size_t max_keys = 100'000;

    /// Milliseconds until `key` may try again at `now_ms` (0: now).
    std::int64_t wait_ms(const std::string& key, std::int64_t now_ms) const {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key);
        if (it == entries_.end()) return 0;
        return std::max<std::int64_t>(0, it->second.next_allowed_ms - now_ms);
    }

    /// Records a failed attempt of `key` at `now_ms`.
    void record_failure(const std::string& key, std::int64_t now_ms) {
        std::lock_guard lock(mutex_);
        if (entries_.size() >= max_keys && !entries_.contains(key)) forget_oldest();
        auto& e = entries_[key];
        ++e.failures;
        e.last_ms = now_ms;
        if (e.failures >= free_failures) {
            const int doublings = std::min(e.failures - free_failures, 20);
            e.next_allowed_ms = now_ms + std::min<std::int64_t>(max_wait_ms, 1000LL << doublings);
        }
    }

    /// Forgets `key` (after a successful login).
    void clear(const std::string& key) {
        std::lock_guard lock(mutex_);
        entries_.erase(key);
    }

private:
    struct entry {
        int failures = 0;
        std::int64_t next_allowed_ms = 0;
        std::int64_t last_ms = 0;
    };

    void forget_oldest() {
        auto oldest = entries_.begin();
        for (auto it = entries_.begin(); it != entries_.end(); ++it)
            if (it->second.last_ms < oldest->second.last_ms) oldest = it;
        if (oldest != entries_.end()) entries_.erase(oldest);
    }

    mutable std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
};

}  // namespace parley::server::accounts
