#include "store/bounded_job_queue.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <thread>
#include <vector>

using parley::server::bounded_job_queue;
using parley::server::job_queue_limits;
using parley::server::push_status;

TEST_CASE("job queue refuses a job over max_jobs and leaves it intact") {
    bounded_job_queue<std::unique_ptr<int>> queue(job_queue_limits{2, 1'000'000});
    auto a = std::make_unique<int>(1);
    auto b = std::make_unique<int>(2);
    auto c = std::make_unique<int>(3);
    CHECK(queue.push(std::move(a), 1) == push_status::accepted);
    CHECK(queue.push(std::move(b), 1) == push_status::accepted);
    CHECK(queue.push(std::move(c), 1) == push_status::full);
    REQUIRE(c != nullptr);  // the refused caller still owns its job
    CHECK(*c == 3);
}

TEST_CASE("job queue refuses a job over max_bytes but takes any job when empty") {
    bounded_job_queue<int> queue(job_queue_limits{100, 10});
    int big = 1;
    CHECK(queue.push(std::move(big), 50) == push_status::accepted);  // alone: never stuck
    int more = 2;
    CHECK(queue.push(std::move(more), 1) == push_status::full);
    std::vector<int> out;
    REQUIRE(queue.take_all(out));
    int small = 3;
    CHECK(queue.push(std::move(small), 6) == push_status::accepted);
    int second = 4;
    CHECK(queue.push(std::move(second), 4) == push_status::accepted);
    int third = 5;
    CHECK(queue.push(std::move(third), 1) == push_status::full);
}

TEST_CASE("job queue hands over everything queued at once, in order") {
    bounded_job_queue<int> queue(job_queue_limits{});
    for (int i = 0; i < 5; ++i) {
        int v = i;
        REQUIRE(queue.push(std::move(v), 1) == push_status::accepted);
    }
    std::vector<int> out{99};
    REQUIRE(queue.take_all(out));
    CHECK(out == std::vector<int>{0, 1, 2, 3, 4});
    // Taking resets the bounds.
    for (int i = 0; i < 5; ++i) {
        int v = i;
        CHECK(queue.push(std::move(v), 1) == push_status::accepted);
    }
}

TEST_CASE("job queue after stop refuses pushes and drains what is left, then ends") {
    bounded_job_queue<int> queue(job_queue_limits{});
    int v = 7;
    REQUIRE(queue.push(std::move(v), 1) == push_status::accepted);
    queue.stop();
    int w = 8;
    CHECK(queue.push(std::move(w), 1) == push_status::stopped);
    std::vector<int> out;
    REQUIRE(queue.take_all(out));
    CHECK(out == std::vector<int>{7});
    CHECK_FALSE(queue.take_all(out));
    CHECK(out.empty());
}

TEST_CASE("job queue wakes a waiting consumer on push and on stop") {
    bounded_job_queue<int> queue(job_queue_limits{});
    std::vector<std::vector<int>> batches;
    std::thread consumer([&] {
        std::vector<int> out;
        while (queue.take_all(out)) batches.push_back(out);
    });
    int v = 1;
    REQUIRE(queue.push(std::move(v), 1) == push_status::accepted);
    queue.stop();
    consumer.join();
    std::size_t total = 0;
    for (const auto& b : batches) total += b.size();
    CHECK(total == 1);
}
