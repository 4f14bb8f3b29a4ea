// The hub on the stream of servers sharing a database: joins whose read is older or newer
// than what the stream delivered, and echoes that wait for another server's earlier event.
#include <doctest/doctest.h>

#include "support/hub_harness.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

namespace {

chat_message from_elsewhere(message_id id, const std::string& text, const std::string& channel = "general") {
    chat_message m;
    m.id = id;
    m.channel = channel;
    m.user = "zed";
    m.text = text;
    m.timestamp = 1;
    m.seq = id;
    return m;
}

/// The texts `c` received, from history pages and live messages, in order.
std::vector<std::string> texts_seen(const conn& c) {
    std::vector<std::string> out;
    for (const auto& frame : c->take()) {
        if (const auto* page = std::get_if<history_page>(&frame))
            for (const auto& m : page->messages) out.push_back("h:" + m.text);
        if (const auto* m = std::get_if<chat_message>(&frame)) out.push_back(m->text);
    }
    return out;
}

}  // namespace

TEST_CASE("hub stream: another server's message reaches every member here") {
    hub_harness h(4, {}, true);
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    h.stream.read_message(h.store.skip_position(), from_elsewhere(7, "hello"));
    h.run();
    CHECK(ann->next<chat_message>().text == "hello");
    CHECK(bob->next<chat_message>().text == "hello");
}

TEST_CASE("hub stream: a join whose read is older than what the stream delivered gets the rest after its history") {
    hub_harness h(4, {}, true);
    auto ann = h.named("ann");
    h.store.hold();
    auto late = h.connect("general");
    h.run();  // its read saw position 0; the answer is held
    // Another server's message arrives through the stream before the read is back.
    h.stream.read_message(h.store.skip_position(), from_elsewhere(1, "meanwhile"));
    h.run();
    CHECK(ann->next<chat_message>().text == "meanwhile");
    h.store.release();
    h.run();
    CHECK(texts_seen(late) == std::vector<std::string>{"meanwhile"});  // after the (empty) history, once
}

TEST_CASE("hub stream: an event the join's history already holds is not delivered again") {
    hub_harness h(4, {}, true);
    auto ann = h.named("ann");
    // Another server committed at position 1 and the read sees it, but the stream reader
    // has not brought it here yet.
    h.store.skip_position();
    auto late = h.connect("general");
    h.run();
    late->take();
    h.stream.read_message(1, from_elsewhere(1, "seen in history"));
    h.run();
    CHECK(ann->next<chat_message>().text == "seen in history");
    CHECK(texts_seen(late).empty());
    // Later events reach it as usual.
    h.stream.read_message(h.store.skip_position(), from_elsewhere(2, "later"));
    h.run();
    CHECK(texts_seen(late) == std::vector<std::string>{"later"});
}

TEST_CASE("hub stream: a sender's echo waits for an earlier message committed by another server") {
    hub_harness h(4, {}, true);
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    ann->take();  // bob's arrival
    const stream_position elsewhere = h.store.skip_position();  // committed elsewhere, not read yet
    h.send(ann, post_message{std::nullopt, "mine"}, "n1");
    CHECK(ann->take().empty());  // no echo before position 1
    CHECK(bob->take().empty());
    h.stream.read_message(elsewhere, from_elsewhere(1, "first"));
    h.run();
    CHECK(texts_seen(ann) == std::vector<std::string>{"first", "mine"});
    CHECK(texts_seen(bob) == std::vector<std::string>{"first", "mine"});
}

TEST_CASE("hub stream: an edit made here reaches the members once, in stream order") {
    hub_harness h(4, {}, true);
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    const auto posted = h.post(ann, "typo");
    bob->take();
    h.send(ann, edit_request{posted.id, "fixed"});
    CHECK(ann->next<edited_notice>().text == "fixed");
    CHECK(bob->next<edited_notice>().text == "fixed");
    CHECK(bob->take().empty());
}
