#include "model/backoff.hpp"

#include <doctest/doctest.h>

#include <set>

using parley::client::backoff;
using parley::client::backoff_config;

TEST_CASE("backoff doubles from the initial delay up to the ceiling") {
    backoff b(backoff_config{500, 30'000, 0.5}, 1);
    CHECK(b.base_delay_ms(0) == 500);
    CHECK(b.base_delay_ms(1) == 1000);
    CHECK(b.base_delay_ms(2) == 2000);
    CHECK(b.base_delay_ms(5) == 16'000);
    CHECK(b.base_delay_ms(6) == 30'000);
    CHECK(b.base_delay_ms(1000) == 30'000);
}

TEST_CASE("backoff delays stay within the jitter bounds of each attempt") {
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        backoff b(backoff_config{500, 30'000, 0.5}, seed);
        for (int n = 0; n < 12; ++n) {
            const int base = b.base_delay_ms(n);
            const int delay = b.next_delay_ms();
            CHECK(delay >= base / 2);
            CHECK(delay <= base);
        }
        CHECK(b.attempts() == 12);
    }
}

TEST_CASE("backoff jitter spreads the delays of clients dropped together") {
    std::set<int> delays;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        backoff b(backoff_config{}, seed);
        delays.insert(b.next_delay_ms());
    }
    CHECK(delays.size() > 10);
}

TEST_CASE("backoff with the same seed repeats its delays") {
    backoff a(backoff_config{}, 7);
    backoff b(backoff_config{}, 7);
    for (int i = 0; i < 10; ++i) CHECK(a.next_delay_ms() == b.next_delay_ms());
}

TEST_CASE("backoff reset starts over from the initial delay") {
    backoff b(backoff_config{500, 30'000, 0.5}, 3);
    for (int i = 0; i < 8; ++i) b.next_delay_ms();
    b.reset();
    CHECK(b.attempts() == 0);
    CHECK(b.next_delay_ms() <= 500);
}
