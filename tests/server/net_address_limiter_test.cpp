#include "net/address_limiter.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using parley::server::address_key;
using parley::server::address_limiter;
using parley::server::address_slot;

TEST_CASE("address limiter gives out `limit` slots per address and takes them back") {
    address_limiter limiter(3);
    std::vector<address_slot> held;
    for (int i = 0; i < 3; ++i) {
        auto slot = limiter.try_acquire("192.0.2.7");
        REQUIRE(slot);
        CHECK(slot->counted());
        held.push_back(std::move(*slot));
    }
    CHECK(limiter.count("192.0.2.7") == 3);
    CHECK(!limiter.try_acquire("192.0.2.7"));
    // Another address has its own count.
    auto other = limiter.try_acquire("192.0.2.8");
    CHECK(other);
    held.pop_back();  // one closes
    CHECK(limiter.count("192.0.2.7") == 2);
    CHECK(limiter.try_acquire("192.0.2.7"));  // a temporary: taken and given back at once
    CHECK(limiter.count("192.0.2.7") == 2);
    held.clear();
    other.reset();
    CHECK(limiter.count("192.0.2.7") == 0);
    CHECK(limiter.addresses() == 0);  // addresses at zero are forgotten
}

TEST_CASE("address slots move without double counting or double release") {
    address_limiter limiter(1);
    auto first = limiter.try_acquire("198.51.100.1");
    REQUIRE(first);
    address_slot moved = std::move(*first);
    CHECK(!first->counted());
    CHECK(moved.counted());
    CHECK(limiter.count("198.51.100.1") == 1);
    address_slot assigned;
    assigned = std::move(moved);
    CHECK(limiter.count("198.51.100.1") == 1);
    first.reset();  // the moved-from slot gives nothing back
    CHECK(limiter.count("198.51.100.1") == 1);
    assigned = address_slot();  // replacing a slot gives its count back
    CHECK(limiter.count("198.51.100.1") == 0);
}

TEST_CASE("address limiter without a limit never refuses and counts nothing") {
    address_limiter limiter(0);
    std::vector<address_slot> held;
    for (int i = 0; i < 1000; ++i) {
        auto slot = limiter.try_acquire("127.0.0.1");
        REQUIRE(slot);
        CHECK(!slot->counted());
        held.push_back(std::move(*slot));
    }
    CHECK(limiter.count("127.0.0.1") == 0);
}

TEST_CASE("address keys: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64") {
    CHECK(address_key("203.0.113.9") == "203.0.113.9");
    CHECK(address_key("::ffff:203.0.113.9") == "203.0.113.9");
    CHECK(address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
    CHECK(address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9"));
    CHECK(address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1"));
    CHECK(address_key("") == "");
    CHECK(address_key("not an address") == "not an address");
    // The whole /64 shares one count.
    address_limiter limiter(2);
    auto a = limiter.try_acquire("2001:db8::1");
    auto b = limiter.try_acquire("2001:db8::2");
    CHECK(a);
    CHECK(b);
    CHECK(!limiter.try_acquire("2001:db8::3"));
    CHECK(limiter.try_acquire("2001:db8:0:1::3"));
}

TEST_CASE("address limiter holds its limit under concurrent acquire and release") {
    address_limiter limiter(8);
    std::atomic<int> refused{0};
    std::atomic<int> over{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                std::vector<address_slot> mine;
                for (int k = 0; k < 4; ++k) {
                    auto slot = limiter.try_acquire("127.0.0.1");
                    if (!slot) {
                        refused.fetch_add(1);
                        continue;
                    }
                    if (limiter.count("127.0.0.1") > 8) over.fetch_add(1);
                    mine.push_back(std::move(*slot));
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(over.load() == 0);
    CHECK(limiter.count("127.0.0.1") == 0);
    CHECK(limiter.addresses() == 0);
}
