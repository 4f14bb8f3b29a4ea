#include "net/send_queue.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace parley::server;
using chat::send_outcome;

namespace {

chat::shared_frame frame_of(std::size_t bytes) { return chat::make_raw_frame(std::string(bytes, 'x')); }

}  // namespace

TEST_CASE("send queue: the first push reserves the write (flush_needed), later ones ride on it (queued)") {
    send_queue q(1000);
    CHECK(q.push(frame_of(10)).outcome == send_outcome::flush_needed);
    CHECK(q.push(frame_of(10)).outcome == send_outcome::queued);
    CHECK(q.queued_bytes() == 20);

    std::vector<chat::shared_frame> batch;
    REQUIRE(q.take(batch, 512));
    CHECK(batch.size() == 2);
    // A push while the write is in flight still rides on it.
    CHECK(q.push(frame_of(5)).outcome == send_outcome::queued);
    CHECK(q.written(20) == send_queue::after_write::more);
    batch.clear();
    REQUIRE(q.take(batch, 512));
    CHECK(q.written(5) == send_queue::after_write::idle);
    CHECK(q.queued_bytes() == 0);
    // Idle again: the next push reserves a new write.
    CHECK(q.push(frame_of(1)).outcome == send_outcome::flush_needed);
}

TEST_CASE("send queue: take with nothing queued releases the reservation") {
    send_queue q(1000);
    CHECK(q.push(frame_of(10)).outcome == send_outcome::flush_needed);
    std::vector<chat::shared_frame> batch;
    REQUIRE(q.take(batch, 512));
    CHECK(q.written(10) == send_queue::after_write::idle);
    CHECK_FALSE(q.take(batch = {}, 512));
    CHECK(q.push(frame_of(10)).outcome == send_outcome::flush_needed);
}

TEST_CASE("send queue: take gives at most max frames per write, in order") {
    send_queue q(100000);
    for (std::size_t i = 1; i <= 5; ++i) q.push(frame_of(i));
    std::vector<chat::shared_frame> batch;
    REQUIRE(q.take(batch, 3));
    REQUIRE(batch.size() == 3);
    CHECK(batch[0]->bytes.size() == 1);
    CHECK(batch[2]->bytes.size() == 3);
    CHECK(q.written(6) == send_queue::after_write::more);
    batch.clear();
    REQUIRE(q.take(batch, 3));
    REQUIRE(batch.size() == 2);
    CHECK(batch[0]->bytes.size() == 4);
}

TEST_CASE("send queue: a push onto a queue at its bound drops the connection once; every later push is dropped") {
    send_queue q(100);
    CHECK(q.push(frame_of(60)).outcome == send_outcome::flush_needed);
    // Under the bound before this frame: taken even though it ends over the bound.
    CHECK(q.push(frame_of(60)).outcome == send_outcome::queued);
    const auto over = q.push(frame_of(1));
    CHECK(over.outcome == send_outcome::dropped);
    CHECK(over.over_bound);
    const auto again = q.push(frame_of(1));
    CHECK(again.outcome == send_outcome::dropped);
    CHECK_FALSE(again.over_bound);
    CHECK(q.queued_bytes() == 120);
}

TEST_CASE("send queue: the close frame goes last, after the queue or instead of it, and nothing follows it") {
    SUBCASE("after what is queued") {
        send_queue q(1000);
        q.push(frame_of(10));  // reserves the write
        CHECK_FALSE(q.push_close(frame_of(4), false));  // the reserved write takes it
        CHECK(q.push(frame_of(1)).outcome == send_outcome::dropped);
        std::vector<chat::shared_frame> batch;
        REQUIRE(q.take(batch, 512));
        REQUIRE(batch.size() == 2);
        CHECK(batch[1]->bytes.size() == 4);
        CHECK(q.written(14) == send_queue::after_write::close_sent);
    }
    SUBCASE("instead of what is queued (a slow consumer)") {
        send_queue q(1000);
        q.push(frame_of(10));
        q.push(frame_of(20));
        q.push_close(frame_of(4), true);
        CHECK(q.queued_bytes() == 4);
        std::vector<chat::shared_frame> batch;
        REQUIRE(q.take(batch, 512));
        CHECK(batch.size() == 1);
        CHECK(q.written(4) == send_queue::after_write::close_sent);
    }
    SUBCASE("on an idle queue the caller starts the write") {
        send_queue q(1000);
        CHECK(q.push_close(frame_of(4), false));
    }
}

TEST_CASE("send queue: a queue closed for a slow consumer is idle, not done, until its close frame is out") {
    send_queue q(10);
    q.push(frame_of(10));
    std::vector<chat::shared_frame> batch;
    REQUIRE(q.take(batch, 512));
    CHECK(q.push(frame_of(1)).over_bound);  // everything is in flight, nothing queued
    // The write finishes before the session queued its close frame: not yet the end.
    CHECK(q.written(10) == send_queue::after_write::idle);
    CHECK(q.push_close(frame_of(4), true));
    batch.clear();
    REQUIRE(q.take(batch, 512));
    CHECK(q.written(4) == send_queue::after_write::close_sent);
}

TEST_CASE("send queue: shut drops what is queued and refuses more") {
    send_queue q(1000);
    q.push(frame_of(10));
    q.shut();
    CHECK(q.push(frame_of(1)).outcome == send_outcome::dropped);
    std::vector<chat::shared_frame> batch;
    CHECK_FALSE(q.take(batch, 512));
}
