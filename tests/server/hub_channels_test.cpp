// The hub's channel requests on the test thread: join, leave, history, the channel list, the
// caps, deferred frames behind a pending join, big channels' counts with the manual clock.
#include "chat/hub.hpp"

#include <doctest/doctest.h>

#include "support/hub_harness.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

TEST_CASE("hub channels: open sends connection, joined and history; the two answers in one write") {
    hub_harness h;
    auto c = h.connect("fishing");
    h.run();
    auto info = c->next<connection_info>();
    CHECK(info.id == "fishing");
    CHECK(info.session == c->session_id());
    CHECK(info.heartbeat_ms == 15000);
    CHECK_FALSE(info.user);
    REQUIRE(c->writes.size() == 2);
    REQUIRE(c->writes[1].size() == 2);  // joined + history: one handler, one flush
    CHECK(std::holds_alternative<joined_notice>(c->writes[1][0]));
    CHECK(std::holds_alternative<history_page>(c->writes[1][1]));
    CHECK(c->unflushed() == 0);
}

TEST_CASE("hub channels: leave answers left; leaving or paging a channel not joined is not_in_channel") {
    hub_harness h;
    auto ann = h.named("ann");
    auto bob = h.named("bob");
    h.send(ann, leave_request{"random"}, "l1");
    auto e = ann->next<error_notice>();
    CHECK(e.code == error_code::not_in_channel);
    CHECK(e.ref == "l1");
    h.send(ann, history_request{"random", std::nullopt, std::nullopt, 50}, "h1");
    CHECK(ann->next<error_notice>().ref == "h1");
    h.send(ann, leave_request{"general"});
    CHECK(ann->next<left_notice>().channel == "general");
    CHECK(bob->next<presence_notice>().state == presence_notice::change::left);
    h.post(bob, "after");
    CHECK(ann->count<chat_message>() == 0);
    CHECK(ann->protocol_errors == 0);  // refusals never count toward the budget
}

TEST_CASE("hub channels: a join of a channel already joined resends joined and history") {
    hub_harness h;
    auto ann = h.named("ann");
    h.post(ann, "one");
    h.send(ann, join_request{"general", std::nullopt});
    CHECK(ann->next<joined_notice>().users == std::vector<std::string>{"ann"});
    CHECK(ann->next<history_page>().messages.size() == 1);
}

TEST_CASE("hub channels: joining where another connection holds the guest name is name_taken with ref") {
    hub_harness h(4);
    const auto ch = h.channels_on_distinct_shards(2);
    auto a = h.named("ann", ch[0]);
    auto b = h.named("ann", ch[1]);
    h.send(b, join_request{ch[0], std::nullopt}, "j1");
    auto e = b->next<error_notice>();
    CHECK(e.code == error_code::name_taken);
    CHECK(e.ref == "j1");
    h.send(b, post_message{ch[0], "sneaking in"}, "p1");
    CHECK(b->next<error_notice>().code == error_code::not_in_channel);
    CHECK(a->count<presence_notice>() == 0);
}

TEST_CASE("hub channels: the caps on channels per connection and on channels are forbidden") {
    chat::hub_options o;
    o.max_channels_per_connection = 2;
    o.max_channels = 3;
    hub_harness h(4, o);
    auto c = h.open("a1");
    h.join(c, "a2");
    h.send(c, join_request{"a3", std::nullopt}, "j");
    auto e = c->next<error_notice>();
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "j");
    auto d = h.open("a3");  // the third channel
    h.send(d, join_request{"a4", std::nullopt}, "k");
    CHECK(d->next<error_notice>().code == error_code::forbidden);
    h.join(d, "a1");  // an existing one is fine
    // A channel given back (its last member left) no longer counts.
    h.send(d, leave_request{"a3"});
    h.join(d, "a4");
}

TEST_CASE("hub channels: channels with history count toward max_channels until the reload finds them gone") {
    chat::hub_options o;
    o.max_channels = 2;
    hub_harness h(4, o);
    auto ann = h.named("ann", "old");
    h.post(ann, "kept");
    h.send(ann, leave_request{"old"});
    h.join(ann, "live");
    h.send(ann, join_request{"third", std::nullopt}, "j");
    CHECK(ann->next<error_notice>().code == error_code::forbidden);  // old (stored) + live
    h.store.forget_channel("old");  // retention removed its history
    h.advance(60'000);
    h.join(ann, "third");
}

TEST_CASE("hub channels: the list holds stored and live channels with online counts, paged by name") {
    hub_harness h(4);
    auto ann = h.named("ann", "fishing");
    h.post(ann, "x");
    h.send(ann, leave_request{"fishing"});
    auto bob = h.named("bob", "random");
    h.send(bob, channels_request{});
    auto list = bob->next<channel_list>();
    REQUIRE(list.channels.size() == 2);
    CHECK(list.channels[0] == channel_summary{"fishing", 0});
    CHECK(list.channels[1] == channel_summary{"random", 1});
    CHECK_FALSE(list.has_more);

    std::vector<conn> holders;
    for (int i = 0; i < 30; ++i) holders.push_back(h.open("c" + std::to_string(100 + i)));
    std::vector<std::string> seen;
    channels_request request;
    request.limit = 7;
    for (int page = 0; page < 10; ++page) {
        h.send(bob, request);
        auto l = bob->next<channel_list>();
        CHECK(l.channels.size() <= 7);
        for (const auto& row : l.channels) seen.push_back(row.name);
        if (!l.has_more) break;
        request.after = l.channels.back().name;
    }
    CHECK(seen.size() == 32);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
}

TEST_CASE("hub channels: history pages latest, before and after; a failed read is server_error with ref") {
    hub_harness h;
    auto ann = h.named("ann");
    std::vector<message_id> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(h.post(ann, "m" + std::to_string(i)).id);
    h.send(ann, history_request{std::nullopt, std::nullopt, std::nullopt, 2});
    auto latest = ann->next<history_page>();
    REQUIRE(latest.messages.size() == 2);
    CHECK(latest.messages[1].id == ids[4]);
    CHECK(latest.has_more);
    h.send(ann, history_request{"general", ids[2], std::nullopt, 50});
    auto before = ann->next<history_page>();
    REQUIRE(before.messages.size() == 2);
    CHECK(before.messages[0].id == ids[0]);
    CHECK_FALSE(before.has_more);
    h.send(ann, history_request{"general", std::nullopt, ids[2], 1});
    auto after = ann->next<history_page>();
    REQUIRE(after.messages.size() == 1);
    CHECK(after.messages[0].id == ids[3]);
    CHECK(after.has_more);
    h.store.failing = true;
    h.send(ann, history_request{}, "h");
    auto e = ann->next<error_notice>();
    CHECK(e.code == error_code::server_error);
    CHECK(e.ref == "h");
}

TEST_CASE("hub channels: resume with since sends only the messages after it") {
    hub_harness h;
    auto ann = h.named("ann");
    std::vector<message_id> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(h.post(ann, "r" + std::to_string(i)).id);
    auto again = h.connect("general", ids[2]);
    h.run();
    auto page = again->next<history_page>();
    REQUIRE(page.messages.size() == 2);
    CHECK(page.messages[0].id == ids[3]);
    CHECK(page.messages[1].id == ids[4]);
    CHECK_FALSE(page.has_more);
}

TEST_CASE("hub channels: a join whose history read fails is server_error and leaves it outside") {
    hub_harness h;
    auto ann = h.named("ann");
    h.store.failing = true;
    h.send(ann, join_request{"random", std::nullopt}, "j");
    auto e = ann->next<error_notice>();
    CHECK(e.code == error_code::server_error);
    CHECK(e.ref == "j");
    h.store.failing = false;
    h.send(ann, post_message{"random", "x"}, "p");
    CHECK(ann->next<error_notice>().code == error_code::not_in_channel);
}

TEST_CASE("hub channels: frames sent behind a pending join wait for it, in order") {
    hub_harness h(4);
    h.store.hold();
    auto c = h.connect("general");
    h.hub->handle(c, client_frame{identity_request{"early"}, std::nullopt});
    h.hub->handle(c, client_frame{post_message{std::nullopt, "first"}, "p1"});
    h.run();
    CHECK(c->count<identity_result>() == 0);  // the join's read has not come back
    h.store.release();
    h.run();
    c->next<connection_info>();
    c->next<joined_notice>();
    c->next<history_page>();
    CHECK(c->next<identity_result>().success);
    CHECK(c->next<chat_message>().text == "first");  // "general" was joined: no channel needed
}

TEST_CASE("hub channels: a big channel's joined lists the first names with the count") {
    chat::hub_options o;
    o.presence_names_up_to = 5;
    hub_harness h(4, o);
    for (int i = 0; i < 8; ++i) h.named("u" + std::to_string(10 + i), "big");
    auto late = h.connect("big");
    h.run();
    auto joined = late->next<joined_notice>();
    CHECK(joined.users == std::vector<std::string>{"u10", "u11", "u12", "u13", "u14"});
    CHECK(joined.online == 8);
}

TEST_CASE("hub channels: past presence_names_up_to, names come as online counts at the interval") {
    chat::hub_options o;
    o.presence_names_up_to = 3;
    o.online_count_interval = std::chrono::milliseconds(250);
    hub_harness h(4, o);
    std::vector<conn> members;
    for (int i = 0; i < 3; ++i) members.push_back(h.named("p" + std::to_string(i), "big"));
    members[0]->take();
    members.push_back(h.named("p3", "big"));  // the 4th name: a count, not a presence
    CHECK(members[0]->count<presence_notice>() == 0);
    CHECK(members[0]->count<online_notice>() == 0);
    h.advance(249);
    CHECK(members[0]->count<online_notice>() == 0);
    h.advance(1);
    CHECK(members[0]->next<online_notice>().online == 4);
    // Another name at once: the next count waits for the channel's interval (250 ms x ceil(5/3)).
    members.push_back(h.named("p4", "big"));
    h.advance(250);
    CHECK(members[0]->count<online_notice>() == 0);
    h.advance(250);
    CHECK(members[0]->next<online_notice>().online == 5);
    CHECK(members[4]->next<online_notice>().online == 5);
}
