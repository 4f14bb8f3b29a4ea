// The hub's message requests on the test thread: post (echo, broadcast, resend, failure,
// stream positions), typing with the manual clock, edit and delete.
#include "chat/hub.hpp"

#include <doctest/doctest.h>

#include "support/hub_harness.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

TEST_CASE("hub messages: the echo carries the nonce; the others get the message without it; both carry seq") {
    hub_harness h;
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    h.send(ann, post_message{std::nullopt, "hello"}, "k1");
    auto echo = ann->next<chat_message>();
    CHECK(echo.nonce == "k1");
    CHECK(echo.user == "ann");
    CHECK(echo.timestamp == manual_clock::unix_start);
    CHECK(echo.seq == 1);
    auto seen = bob->next<chat_message>();
    CHECK_FALSE(seen.nonce);
    CHECK(seen.id == echo.id);
    CHECK(seen.seq == 1);
    CHECK(ann->count<chat_message>() == 0);  // the sender gets its echo only
    CHECK(h.post(bob, "again").seq == 2);
}

TEST_CASE("hub messages: stream positions are dense per channel across shards, and history carries them") {
    hub_harness h(4);
    const auto ch = h.channels_on_distinct_shards(2);
    auto ann = h.named("ann", ch[0]);
    h.join(ann, ch[1]);
    CHECK(h.post(ann, "a1", ch[0]).seq == 1);
    CHECK(h.post(ann, "b1", ch[1]).seq == 1);
    CHECK(h.post(ann, "a2", ch[0]).seq == 2);
    auto late = h.connect(ch[0]);
    h.run();
    auto page = late->next<history_page>();
    REQUIRE(page.messages.size() == 2);
    CHECK(page.messages[0].seq == 1);
    CHECK(page.messages[1].seq == 2);
}

TEST_CASE("hub messages: a message without channel goes to the only channel; none or several is an error") {
    hub_harness h;
    auto ann = h.named("ann");
    CHECK(h.post(ann, "hello").channel == "general");
    h.join(ann, "random");
    h.send(ann, post_message{std::nullopt, "which?"}, "k");
    auto several = ann->next<error_notice>();
    CHECK(several.code == error_code::invalid_message);
    CHECK(several.ref == "k");
    CHECK(ann->protocol_errors == 1);  // invalid_message counts toward the budget
    h.send(ann, leave_request{"random"});
    h.send(ann, leave_request{"general"});
    h.send(ann, post_message{std::nullopt, "anyone?"});
    CHECK(ann->next<error_notice>().code == error_code::not_in_channel);
    CHECK(ann->protocol_errors == 1);
}

TEST_CASE("hub messages: over the error budget the hub's invalid_message is not answered") {
    hub_harness h;
    auto ann = h.named("ann");
    h.join(ann, "random");
    ann->error_budget = 0;
    h.send(ann, post_message{std::nullopt, "which?"}, "k");
    CHECK(ann->count<error_notice>() == 0);
}

TEST_CASE("hub messages: posting, typing, editing and deleting before identity are not_identified with ref") {
    hub_harness h;
    auto anon = h.open();
    h.send(anon, post_message{std::nullopt, "hi"}, "n1");
    h.send(anon, typing_request{}, "t1");
    h.send(anon, edit_request{1, "x"}, "e1");
    h.send(anon, delete_request{1}, "d1");
    for (const char* ref : {"n1", "t1", "e1", "d1"}) {
        auto e = anon->next<error_notice>();
        CHECK(e.code == error_code::not_identified);
        CHECK(e.ref == ref);
    }
    CHECK(h.store.posts() == 0);
}

TEST_CASE("hub messages: a message that could not be stored is server_error with ref and never broadcast") {
    hub_harness h;
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    h.store.failing = true;
    h.send(ann, post_message{std::nullopt, "lost"}, "p");
    auto e = ann->next<error_notice>();
    CHECK(e.code == error_code::server_error);
    CHECK(e.ref == "p");
    CHECK(bob->count<chat_message>() == 0);
}

TEST_CASE("hub messages: a resend gets the stored message back alone, then deleted once it is gone") {
    hub_harness h;
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    h.send(ann, post_message{std::nullopt, "once"}, "same");
    auto first = ann->next<chat_message>();
    bob->next<chat_message>();
    h.send(ann, post_message{std::nullopt, "once"}, "same");
    auto again = ann->next<chat_message>();
    CHECK(again.id == first.id);
    CHECK(again.nonce == "same");
    CHECK(bob->count<chat_message>() == 0);

    h.send(ann, delete_request{first.id});
    CHECK(ann->next<deleted_notice>().id == first.id);
    CHECK(bob->next<deleted_notice>().id == first.id);
    h.send(ann, post_message{std::nullopt, "once"}, "same");
    CHECK(ann->next<chat_message>().text.empty());
    CHECK(ann->next<deleted_notice>().id == first.id);
}

TEST_CASE("hub messages: typing goes to the others, not the sender's name, at most once per interval") {
    hub_harness h;
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    h.send(ann, typing_request{});
    CHECK(bob->next<typing_notice>().user == "ann");
    CHECK(ann->count<typing_notice>() == 0);
    h.send(ann, typing_request{});
    CHECK(bob->count<typing_notice>() == 0);
    h.advance(limits::typing_relay_interval_ms - 1);
    h.send(ann, typing_request{});
    CHECK(bob->count<typing_notice>() == 0);
    h.advance(1);
    h.send(ann, typing_request{"general"});
    CHECK(bob->next<typing_notice>().channel == "general");
}

TEST_CASE("hub messages: only the posting connection edits a guest's message; edited reaches a requester who left") {
    hub_harness h;
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    auto m = h.post(ann, "draft");
    bob->take();
    h.send(bob, edit_request{m.id, "hijack"}, "e1");
    auto refused = bob->next<error_notice>();
    CHECK(refused.code == error_code::forbidden);
    CHECK(refused.ref == "e1");
    CHECK(h.names.logged("refused_edit"));
    h.send(ann, edit_request{999999, "nope"}, "e2");
    CHECK(ann->next<error_notice>().code == error_code::not_found);

    h.send(ann, leave_request{"general"});
    h.advance(5000);
    h.send(ann, edit_request{m.id, "final"});
    auto mine = ann->next<edited_notice>();
    CHECK(mine.text == "final");
    CHECK(mine.edited_at == manual_clock::unix_start + 5000);
    auto theirs = bob->next<edited_notice>();
    CHECK(theirs.id == m.id);
    CHECK_FALSE(h.names.logged("edit"));  // not an admin: nothing to audit
}

TEST_CASE("hub messages: delete by another guest is forbidden and audited; an admin's is allowed and audited") {
    hub_harness h;
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    auto m = h.post(ann, "rude");
    h.send(bob, delete_request{m.id}, "d1");
    CHECK(bob->next<error_notice>().code == error_code::forbidden);
    CHECK(h.names.logged("refused_delete"));
    auto admin = h.account("root", "general", true);
    h.send(admin, delete_request{m.id});
    CHECK(admin->next<deleted_notice>().id == m.id);
    CHECK(ann->next<deleted_notice>().id == m.id);
    CHECK(h.names.logged("delete"));
    h.send(admin, delete_request{m.id}, "d2");
    CHECK(admin->next<error_notice>().code == error_code::not_found);
}

TEST_CASE("hub messages: an edit or delete that could not be stored is server_error with ref") {
    hub_harness h;
    auto ann = h.named("ann");
    auto m = h.post(ann, "x");
    h.store.failing = true;
    h.send(ann, edit_request{m.id, "y"}, "e");
    h.send(ann, delete_request{m.id}, "d");
    auto e = ann->next<error_notice>();
    CHECK(e.code == error_code::server_error);
    CHECK(e.ref == "e");
    CHECK(ann->next<error_notice>().ref == "d");
}

TEST_CASE("hub messages: a heartbeat answer reaching the hub is ignored (the session counts it)") {
    hub_harness h;
    auto ann = h.named("ann");
    const auto writes = ann->writes.size();
    h.send(ann, heartbeat_reply{});
    CHECK(ann->take().empty());
    CHECK(ann->writes.size() == writes);
}
