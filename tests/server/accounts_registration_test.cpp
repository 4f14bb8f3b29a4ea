// Sign-up limits: the per-address registration bucket, and the bound on password hashes
// queued for the accounts worker (a flood is told to come back, not queued without end).
#include "accounts/registration_limit.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "accounts/account_service.hpp"
#include "support/temp_dir.hpp"

using parley::server::accounts::registration_limit;
namespace accounts = parley::server::accounts;

namespace {
constexpr std::int64_t hour_ms = 3'600'000;
}  // namespace

TEST_CASE("registration limit lets a fresh address sign up its whole hour at once, then says how long to wait") {
    registration_limit limit(3);
    CHECK(limit.take("10.0.0.1", 0) == 0);
    CHECK(limit.take("10.0.0.1", 0) == 0);
    CHECK(limit.take("10.0.0.1", 0) == 0);
    const auto wait = limit.take("10.0.0.1", 0);
    CHECK(wait == hour_ms / 3);  // one registration back every 20 minutes
    CHECK(limit.take("10.0.0.2", 0) == 0);  // another address is not slowed
}

TEST_CASE("registration limit refills at its hourly rate, never above a full hour") {
    registration_limit limit(3);
    for (int i = 0; i < 3; ++i) REQUIRE(limit.take("a", 0) == 0);
    CHECK(limit.take("a", hour_ms / 3 - 1000) == 1000);
    CHECK(limit.take("a", hour_ms / 3) == 0);
    CHECK(limit.take("a", hour_ms / 3) > 0);
    // A day idle refills to three, not to seventy-two.
    const std::int64_t later = 25 * hour_ms;
    for (int i = 0; i < 3; ++i) CHECK(limit.take("a", later) == 0);
    CHECK(limit.take("a", later) > 0);
}

TEST_CASE("registration limit takes a registration back that did not happen") {
    registration_limit limit(1);
    REQUIRE(limit.take("a", 0) == 0);
    REQUIRE(limit.take("a", 0) > 0);
    limit.give_back("a");
    CHECK(limit.take("a", 0) == 0);
    limit.give_back("a");
    limit.give_back("a");  // never above the hour's worth
    CHECK(limit.take("a", 0) == 0);
    CHECK(limit.take("a", 0) > 0);
}

TEST_CASE("registration limit of zero is no limit") {
    registration_limit limit(0);
    for (int i = 0; i < 1000; ++i) REQUIRE(limit.take("a", 0) == 0);
}

TEST_CASE("registration limit forgets the longest idle address first when full") {
    registration_limit limit(1);
    REQUIRE(limit.take("old", 0) == 0);
    for (std::size_t i = 0; i + 1 < registration_limit::max_keys; ++i) limit.take("k" + std::to_string(i), 10);
    REQUIRE(limit.take("old", 10) > 0);  // still remembered: the table is just full
    limit.take("one more", 20);          // pushes out the longest idle: "k0" at 10, not "old"
    CHECK(limit.take("old", 20) > 0);
}

TEST_CASE("the accounts worker refuses password hashes past its queue with 503 and Retry-After") {
    parley::test::temp_dir data;
    std::string error;
    accounts::account_limits limits;
    limits.max_queued_hashes = 2;
    limits.registrations_per_hour = 0;
    auto service = accounts::account_service::open(data.path(), limits, error);
    REQUIRE_MESSAGE(service, error);

    std::mutex mutex;
    std::condition_variable changed;
    std::vector<accounts::api_answer> answers;
    auto collect = [&](accounts::api_answer answer) {
        std::lock_guard lock(mutex);
        answers.push_back(std::move(answer));
        changed.notify_all();
    };
    // Sent back to back: each hash takes tens of milliseconds, so the first two are still
    // queued when the rest arrive, and those are answered at once.
    for (int i = 0; i < 6; ++i) service->login("user" + std::to_string(i), "password-" + std::to_string(i), "10.0.0.1", collect);
    std::unique_lock lock(mutex);
    REQUIRE(changed.wait_for(lock, std::chrono::seconds(20), [&] { return answers.size() == 6; }));
    int busy = 0;
    int refused = 0;
    for (const auto& answer : answers) {
        if (answer.status == 503) {
            ++busy;
            CHECK(answer.retry_after_s == std::optional<std::int64_t>(1));
        }
        if (answer.status == 401) ++refused;  // unknown names: hashed, then refused
    }
    CHECK(busy >= 3);
    CHECK(refused >= 2);
    CHECK(busy + refused == 6);
    lock.unlock();
    // Once the queue drains, requests are taken again.
    std::optional<accounts::api_answer> later;
    service->register_account("newcomer", "password-1", "10.0.0.1", [&](accounts::api_answer a) {
        std::lock_guard guard(mutex);
        later = std::move(a);
        changed.notify_all();
    });
    lock.lock();
    REQUIRE(changed.wait_for(lock, std::chrono::seconds(20), [&] { return later.has_value(); }));
    CHECK(later->status == 201);
}
