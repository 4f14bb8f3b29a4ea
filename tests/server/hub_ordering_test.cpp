// The orders the hub promises, on the test thread: the join/commit invariant (no gap,
// nothing twice), the batched send path, and the shard boundaries.
#include "chat/hub.hpp"

#include <doctest/doctest.h>

#include "support/hub_harness.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

namespace {

/// The ids a connection received for `channel`, from history pages and live messages, in order.
std::vector<message_id> ids_seen(const conn& c) {
    std::vector<message_id> out;
    for (const auto& frame : c->take()) {
        if (const auto* page = std::get_if<history_page>(&frame))
            for (const auto& m : page->messages) out.push_back(m.id);
        if (const auto* m = std::get_if<chat_message>(&frame)) out.push_back(m->id);
    }
    return out;
}

}  // namespace

TEST_CASE("hub ordering: a join between commits sees each message once, in history or live") {
    hub_harness h(4);
    auto ann = h.named("ann");
    h.store.hold();
    // m1 commits before the join's read, m2 after it; their completions are all held.
    h.send(ann, post_message{std::nullopt, "m1"}, "1");
    auto late = h.connect("general");
    h.run();
    h.send(ann, post_message{std::nullopt, "m2"}, "2");
    REQUIRE(h.store.held() == 3);
    CHECK(late->count<joined_notice>() == 0);  // not in the room before its read is back
    h.store.release();
    h.run();
    const auto seen = ids_seen(late);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] < seen[1]);
}

TEST_CASE("hub ordering: many posts around a join: nothing missed, nothing twice, ascending") {
    hub_harness h(4);
    auto ann = h.named("ann");
    constexpr int total = 60;
    conn late;
    h.store.hold();
    for (int i = 0; i < total; ++i) {
        h.hub->handle(ann, client_frame{post_message{std::nullopt, "m" + std::to_string(i)}, std::nullopt});
        h.run();
        if (i == total / 2) {
            late = h.connect("general", message_id{0});
            h.run();
        }
    }
    h.store.release();
    h.run();
    const auto seen = ids_seen(late);
    REQUIRE(seen.size() == total);
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] == seen[i - 1] + 1);
}

TEST_CASE("hub ordering: completions of one batch reach a connection in one write") {
    hub_harness h(4);
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    bob->writes.clear();
    h.store.hold();
    for (int i = 0; i < 5; ++i) h.hub->handle(ann, client_frame{post_message{std::nullopt, "b"}, std::nullopt});
    h.run();
    h.store.release();
    h.run();
    CHECK(bob->count<chat_message>() == 5);
    CHECK(bob->writes.size() == 1);
    CHECK(bob->unflushed() == 0);
    CHECK(ann->unflushed() == 0);
}

TEST_CASE("hub ordering: a connection that drops frames (going away) gets nothing more and breaks nothing") {
    hub_harness h(4);
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    bob->closed = true;  // its session is closing: enqueue answers dropped
    h.post(ann, "x");
    CHECK(bob->take().empty());
    CHECK(bob->unflushed() == 0);
}

TEST_CASE("hub ordering: shard_of is stable, spreads names, and one shard means shard 0") {
    CHECK(chat::hub::shard_of("general", 1) == 0);
    CHECK(chat::hub::shard_of("general", 16) == chat::hub::shard_of("general", 16));
    std::vector<int> load(8, 0);
    for (int i = 0; i < 800; ++i) ++load[chat::hub::shard_of("c" + std::to_string(i), 8)];
    for (int n : load) {
        CHECK(n > 50);
        CHECK(n < 150);
    }
}

TEST_CASE("hub ordering: channels on one shard and on different shards keep their traffic apart") {
    hub_harness h(4);
    const auto ch = h.channels_on_distinct_shards(2);
    const auto same = h.channel_on_shard_of(ch[0]);
    auto a = h.named("a", ch[0]);
    auto b = h.named("b", ch[1]);
    auto s = h.named("s", same);
    h.post(a, "to a");
    h.post(b, "to b");
    h.post(s, "to same");
    CHECK(a->count<chat_message>() == 0);
    CHECK(b->count<chat_message>() == 0);
    CHECK(s->count<chat_message>() == 0);
    auto all = h.named("all", ch[0]);
    h.join(all, ch[1]);
    h.join(all, same);
    h.post(a, "1");
    h.post(b, "2");
    h.post(s, "3");
    std::vector<std::string> channels;
    for (const auto& f : all->take())
        if (const auto* m = std::get_if<chat_message>(&f)) channels.push_back(m->channel);
    CHECK(channels == std::vector<std::string>{ch[0], ch[1], same});
}

TEST_CASE("hub ordering: with one shard the hub behaves the same (every channel on one strand)") {
    hub_harness h(1);
    auto ann = h.named("ann", "x");
    h.join(ann, "y");
    auto bob = h.named("bob", "y");
    h.post(ann, "hi", "y");
    CHECK(bob->next<chat_message>().text == "hi");
}
