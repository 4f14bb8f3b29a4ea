// The hub's identity rules, on the test thread: names per channel, accounts, bans, and the
// two-phase claim across channels on different shards.
#include "chat/hub.hpp"

#include <doctest/doctest.h>

#include "support/hub_harness.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

TEST_CASE("hub identity: invalid, taken case-insensitively, repeated; free in another channel") {
    hub_harness h;
    auto ann = h.named("Ann");
    auto other = h.open();
    h.send(other, identity_request{"has space"});
    CHECK(other->next<identity_result>().reason == "invalid");
    h.send(other, identity_request{"aNN"});
    CHECK(other->next<identity_result>().reason == "taken");
    h.send(ann, identity_request{"Ann2"});
    CHECK(ann->next<identity_result>().reason == "already_identified");
    auto elsewhere = h.open("random");
    h.send(elsewhere, identity_request{"ann"});
    CHECK(elsewhere->next<identity_result>().success);
}

TEST_CASE("hub identity: account names, accounts_only and bans refuse a guest name") {
    chat::hub_options o;
    SUBCASE("an account's name is taken, online or not") {
        hub_harness h;
        h.names.accounts.insert("carol");
        auto c = h.open();
        h.send(c, identity_request{"Carol"});
        CHECK(c->next<identity_result>().reason == "taken");
    }
    SUBCASE("accounts_only") {
        o.accounts_only = true;
        hub_harness h(4, o);
        auto c = h.open();
        h.send(c, identity_request{"dave"});
        CHECK(c->next<identity_result>().reason == "accounts_only");
    }
    SUBCASE("a banned name or address, in no channel and in a channel") {
        hub_harness h;
        h.names.banned = {"mallory", "10.9.9.9"};
        auto lonely = h.open();
        h.send(lonely, leave_request{"general"});
        h.send(lonely, identity_request{"mallory"});
        CHECK(lonely->next<identity_result>().reason == "banned");
        auto from_banned = h.open("general", std::nullopt, "10.9.9.9");
        h.send(from_banned, identity_request{"innocent"});
        CHECK(from_banned->next<identity_result>().reason == "banned");
        CHECK_FALSE(from_banned->is_named());
    }
}

TEST_CASE("hub identity: presence goes to the others once the name is granted; the heartbeat flag is set") {
    hub_harness h;
    auto bob = h.named("bob");
    auto c = h.open();
    CHECK_FALSE(c->is_named());
    h.send(c, identity_request{"ann"});
    CHECK(c->next<identity_result>().success);
    CHECK(c->is_named());
    auto p = bob->next<presence_notice>();
    CHECK(p.user == "ann");
    CHECK(p.state == presence_notice::change::joined);
    CHECK(p.online == 2);
    CHECK(c->count<presence_notice>() == 0);  // not to itself
    CHECK(h.hub->guest_online("ann"));
}

TEST_CASE("hub identity: a name taken in one channel on another shard refuses it in all, and gives back the claims") {
    hub_harness h(4);
    const auto ch = h.channels_on_distinct_shards(3);
    auto holder = h.named("zed", ch[1]);
    auto c = h.open(ch[0]);
    h.join(c, ch[1]);
    h.join(c, ch[2]);
    auto watcher0 = h.open(ch[0]);
    auto watcher2 = h.open(ch[2]);
    h.send(c, identity_request{"ZED"});
    CHECK(c->next<identity_result>().reason == "taken");
    CHECK_FALSE(c->is_named());
    // Nothing was announced where the name was free, and the reservations are gone there:
    CHECK(watcher0->count<presence_notice>() == 0);
    CHECK(watcher2->count<presence_notice>() == 0);
    h.send(watcher0, identity_request{"zed"});
    CHECK(watcher0->next<identity_result>().success);
    // Once the holder goes, the name is free in every channel.
    h.close(holder);
    h.send(c, leave_request{ch[0]});
    h.send(c, identity_request{"zed"});
    CHECK(c->next<identity_result>().success);
    auto p = watcher2->next<presence_notice>();
    CHECK(p.user == "zed");
}

TEST_CASE("hub identity: two guests claiming one name at once in one channel: the first wins") {
    hub_harness h(4);
    auto a = h.open();
    auto b = h.open();
    h.hub->handle(a, client_frame{identity_request{"sam"}, std::nullopt});
    h.hub->handle(b, client_frame{identity_request{"SAM"}, std::nullopt});
    h.run();
    CHECK(a->next<identity_result>().success);
    CHECK(b->next<identity_result>().reason == "taken");
}

TEST_CASE("hub identity: frames behind an identity wait for its answer (a post sent with it is stored)") {
    hub_harness h(4);
    auto c = h.open();
    h.hub->handle(c, client_frame{identity_request{"quick"}, std::nullopt});
    h.hub->handle(c, client_frame{post_message{std::nullopt, "hi"}, "p1"});
    h.run();
    CHECK(c->next<identity_result>().success);
    auto echo = c->next<chat_message>();
    CHECK(echo.user == "quick");
    CHECK(echo.nonce == "p1");
}

TEST_CASE("hub identity: an account on two connections is one name; opening with a token names it at once") {
    hub_harness h;
    auto bob = h.named("bob");
    auto first = h.connect("general", std::nullopt, chat::verified_account{"carol", 7, false});
    h.run();
    auto hello = first->next<connection_info>();
    CHECK(hello.user == "carol");
    CHECK(hello.role == "user");
    CHECK(first->is_named());
    CHECK(first->next<joined_notice>().users == std::vector<std::string>{"bob", "carol"});
    auto p = bob->next<presence_notice>();
    CHECK(p.user == "carol");
    CHECK(p.online == 2);
    auto second = h.account("carol");
    CHECK(bob->count<presence_notice>() == 0);  // same name: no new presence
    CHECK_FALSE(h.hub->guest_online("carol"));  // an account is not a guest
    h.close(first);
    CHECK(bob->count<presence_notice>() == 0);  // still online on the second
    h.close(second);
    auto left = bob->next<presence_notice>();
    CHECK(left.state == presence_notice::change::left);
    CHECK(left.online == 1);
}

TEST_CASE("hub identity: a guest name leaves guest_online when its connection closes") {
    hub_harness h;
    auto ann = h.named("ann");
    CHECK(h.hub->guest_online("ann"));
    h.close(ann);
    CHECK_FALSE(h.hub->guest_online("ann"));
}

TEST_CASE("hub home: a connection that offers its own strand has its protocol state served on it") {
    hub_harness h;
    auto c = std::make_shared<recording_connection>("own", "10.0.0.9");
    c->own_strand.emplace(boost::asio::make_strand(h.ioc));
    h.hub->open(c, std::nullopt, "general", std::nullopt);
    h.run();
    c->sent_on_own_strand.clear();  // `connection` came from the home; joined/history from the shard
    h.send(c, identity_request{"Owen"});
    CHECK(c->next<identity_result>().success);
    // The identity answer is sent by the home turn: on the connection's own strand.
    REQUIRE_FALSE(c->sent_on_own_strand.empty());
    CHECK(c->sent_on_own_strand.front());
}
