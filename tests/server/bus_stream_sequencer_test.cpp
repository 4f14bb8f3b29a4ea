// The stream sequencer: one order out of a server's own commits and the events it reads.
#include "bus/stream_sequencer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace parley::server;

namespace {

struct delivered {
    std::int64_t position;
    bool broadcast;
    bool echoed;
    std::string payload;
};

struct recorder {
    std::vector<delivered> out;
    stream_sequencer sequencer{[this](channel_event e) {
        bool echoed = false;
        if (e.echo) {
            e.echo();
            echoed = true;
        }
        out.push_back({e.position, e.broadcast, echoed, e.payload});
    }};
};

channel_event at(std::int64_t position, std::string payload = "read", bool with_echo = false) {
    channel_event e;
    e.channel = "general";
    e.payload = std::move(payload);
    e.position = position;
    if (with_echo) e.echo = [] {};
    return e;
}

std::vector<std::int64_t> positions(const recorder& r) {
    std::vector<std::int64_t> p;
    for (const auto& d : r.out) p.push_back(d.position);
    return p;
}

}  // namespace

TEST_CASE("stream sequencer: events go out in position order, each once, whatever order they come in") {
    recorder r;
    r.sequencer.start_after(10);
    r.sequencer.read(at(13));
    r.sequencer.read(at(12));
    CHECK(r.out.empty());  // 11 is missing: nothing may overtake it
    CHECK(r.sequencer.waiting() == 2);
    r.sequencer.read(at(11));
    CHECK(positions(r) == std::vector<std::int64_t>{11, 12, 13});
    r.sequencer.read(at(12));  // a second read of the same page
    r.sequencer.read(at(9));   // before the start
    CHECK(r.out.size() == 3);
    CHECK(r.sequencer.delivered() == 13);
    CHECK(r.sequencer.next() == 14);
}

TEST_CASE("stream sequencer: an own commit waits for another server's earlier event, then goes with its echo") {
    recorder r;
    r.sequencer.start_after(0);
    r.sequencer.own(at(2, "own", true));
    CHECK(r.out.empty());  // the echo must not overtake position 1
    r.sequencer.read(at(1));
    r.sequencer.read(at(2));  // the read copy of our own event: already there
    REQUIRE(r.out.size() == 2);
    CHECK(r.out[0].position == 1);
    CHECK(r.out[1].position == 2);
    CHECK(r.out[1].payload == "own");
    CHECK(r.out[1].echoed);
    CHECK(r.out[1].broadcast);
}

TEST_CASE("stream sequencer: the read copy of an own event holds its place until the own copy brings the echo") {
    recorder r;
    r.sequencer.start_after(0);
    const auto now = stream_sequencer::clock::now();
    r.sequencer.read(at(1), true, now);
    r.sequencer.read(at(2), false, now);
    CHECK(r.out.empty());  // the sender's receipt must not come after position 2
    r.sequencer.own(at(1, "own", true));
    REQUIRE(r.out.size() == 2);
    CHECK(r.out[0].payload == "own");
    CHECK(r.out[0].echoed);
    CHECK(r.out[0].broadcast);
    CHECK(r.out[1].position == 2);
}

TEST_CASE("stream sequencer: a read copy of our own event whose own copy never comes goes out after the patience") {
    recorder r;
    r.sequencer.start_after(0);
    const auto then = stream_sequencer::clock::now();
    r.sequencer.read(at(1), true, then);
    r.sequencer.release_overdue(then + std::chrono::milliseconds(500));
    CHECK(r.out.empty());
    r.sequencer.release_overdue(then + std::chrono::seconds(3));
    REQUIRE(r.out.size() == 1);
    CHECK(r.out[0].broadcast);
    CHECK_FALSE(r.out[0].echoed);
    // Should it come after all, only its echo is left to give.
    r.sequencer.own(at(1, "own", true));
    REQUIRE(r.out.size() == 2);
    CHECK_FALSE(r.out[1].broadcast);
    CHECK(r.out[1].echoed);
    // An own event without an echo that comes late is nothing at all.
    r.sequencer.read(at(2));
    r.sequencer.own(at(2, "own"));
    CHECK(r.out.size() == 3);
}

TEST_CASE("stream sequencer: an own event replaces a read copy waiting at its position") {
    recorder r;
    r.sequencer.start_after(0);
    r.sequencer.read(at(2));
    r.sequencer.own(at(2, "own", true));
    r.sequencer.read(at(1));
    REQUIRE(r.out.size() == 2);
    CHECK(r.out[1].payload == "own");
    CHECK(r.out[1].echoed);
}

TEST_CASE("stream sequencer: starting later drops what waits before the new start") {
    recorder r;
    r.sequencer.start_after(0);
    r.sequencer.read(at(3));
    r.sequencer.read(at(5));
    r.sequencer.start_after(3);  // 1..3 were pruned before they were read
    CHECK(r.out.empty());
    r.sequencer.read(at(4));
    CHECK(positions(r) == std::vector<std::int64_t>{4, 5});
}
