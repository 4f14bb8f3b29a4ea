#pragma once
// A clock the test moves by hand: advance() runs the delayed calls that fall due, in order.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "chat/clock.hpp"

namespace parley::server::test {

/// chat::clock for tests: starts at a fixed, non-zero time and moves only in advance().
class manual_clock final : public chat::clock {
public:
    std::int64_t unix_ms() const override { return unix_start + now_; }
    std::int64_t steady_ms() const override { return steady_start + now_; }
    void call_after(std::chrono::milliseconds delay, std::function<void()> f) override {
        calls_.push_back({now_ + delay.count(), next_++, std::move(f)});
    }

    /// Moves time on by `ms`, running each delayed call at its due time (a call may add more).
    void advance(std::int64_t ms) {
        const std::int64_t end = now_ + ms;
        while (true) {
            auto due = std::min_element(calls_.begin(), calls_.end(), [](const call& a, const call& b) {
                return std::tie(a.at, a.order) < std::tie(b.at, b.order);
            });
            if (due == calls_.end() || due->at > end) break;
            now_ = std::max(now_, due->at);
            auto f = std::move(due->f);
            calls_.erase(due);
            f();
        }
        now_ = end;
    }
    std::size_t pending() const { return calls_.size(); }
    /// How long until the next delayed call is due (0: now), or -1 when none is waiting.
    std::int64_t until_next() const {
        std::int64_t best = -1;
        for (const auto& c : calls_)
            if (best < 0 || c.at - now_ < best) best = std::max<std::int64_t>(0, c.at - now_);
        return best;
    }

    static constexpr std::int64_t unix_start = 1'700'000'000'000;
    static constexpr std::int64_t steady_start = 5'000'000;

private:
    struct call {
        std::int64_t at;
        std::uint64_t order;
        std::function<void()> f;
    };
    std::int64_t now_ = 0;
    std::uint64_t next_ = 0;
    std::vector<call> calls_;
};

}  // namespace parley::server::test
