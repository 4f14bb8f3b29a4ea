// Cross-channel work on the test thread: kick (the channel's shard, then the target's home),
// ban and close_all (the registry), and a connection's leave-all on close.
#include "chat/hub.hpp"

#include <doctest/doctest.h>

#include "support/hub_harness.hpp"
#include "ws/frame.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

TEST_CASE("hub moderation: a kick by a non-admin is forbidden and audited as refused_kick") {
    hub_harness h;
    auto bob = h.named("bob");
    auto eve = h.named("eve");
    h.send(eve, kick_request{"general", "bob"}, "k");
    auto e = eve->next<error_notice>();
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "k");
    CHECK(h.names.logged("refused_kick"));
    CHECK(bob->count<left_notice>() == 0);
}

TEST_CASE("hub moderation: an admin kicks across shards; the target is out of the channel, the others see it go") {
    hub_harness h(4);
    const auto ch = h.channels_on_distinct_shards(2);
    auto admin = h.account("root", ch[0], true);
    h.join(admin, ch[1]);
    auto bob = h.named("bob", ch[1]);
    auto carol = h.named("carol", ch[1]);
    admin->take();
    h.send(admin, kick_request{ch[1], "nobody"}, "k0");
    auto missing = admin->next<error_notice>();
    CHECK(missing.code == error_code::not_found);
    CHECK(missing.ref == "k0");

    h.send(admin, kick_request{ch[1], "BOB"});
    auto kicked = bob->next<left_notice>();
    CHECK(kicked.channel == ch[1]);
    CHECK(kicked.reason == "kicked");
    auto p = carol->next<presence_notice>();
    CHECK(p.user == "bob");
    CHECK(p.state == presence_notice::change::left);
    CHECK(h.names.logged("kick"));
    // The target's home knows: it is in no channel now.
    h.send(bob, post_message{ch[1], "still here?"}, "p");
    CHECK(bob->next<error_notice>().code == error_code::not_in_channel);
    h.post(carol, "after the kick");
    CHECK(bob->count<chat_message>() == 0);
    // It may come back.
    h.join(bob, ch[1]);
}

TEST_CASE("hub moderation: a ban closes every connection of the name in any channel and records their addresses") {
    hub_harness h(4);
    const auto ch = h.channels_on_distinct_shards(2);
    auto admin = h.account("root", ch[0], true);
    auto acct1 = h.open(ch[0], chat::verified_account{"troll", 9, false}, "10.1.1.1");
    auto acct2 = h.open(ch[1], chat::verified_account{"troll", 9, false}, "10.2.2.2");
    auto bystander = h.named("ann", ch[1], "10.3.3.3");
    auto guest = h.open(ch[0]);
    h.send(guest, ban_request{"troll", 10}, "b0");
    CHECK(guest->next<error_notice>().code == error_code::forbidden);
    CHECK(h.names.logged("refused_ban"));

    h.send(admin, ban_request{"Troll", 60});
    CHECK(acct1->close_code == ws::close_code::policy_violation);
    CHECK(acct2->close_code == ws::close_code::policy_violation);
    CHECK_FALSE(bystander->close_code);
    REQUIRE(h.names.bans.size() == 1);
    const auto& ban = h.names.bans[0];
    CHECK(ban.folded == "troll");
    CHECK(ban.until_ms == manual_clock::unix_start + 60 * 60'000);
    auto addresses = ban.addresses;
    std::sort(addresses.begin(), addresses.end());
    CHECK(addresses == std::vector<std::string>{"10.1.1.1", "10.2.2.2"});
    CHECK(h.names.logged("ban"));
}

TEST_CASE("hub moderation: close_all closes every open connection") {
    hub_harness h(4);
    auto a = h.open("one");
    auto b = h.open("two");
    h.close(b);
    b->close_code.reset();
    h.hub->close_all(ws::close_code::going_away, "server shutting down");
    CHECK(a->close_code == ws::close_code::going_away);
    CHECK_FALSE(b->close_code);  // closed already: no longer registered
}

TEST_CASE("hub moderation: a close leaves every channel on every shard, and the channels empty out") {
    hub_harness h(4);
    const auto ch = h.channels_on_distinct_shards(3);
    auto ann = h.named("ann", ch[0]);
    h.join(ann, ch[1]);
    h.join(ann, ch[2]);
    auto w1 = h.named("w1", ch[1]);
    auto w2 = h.named("w2", ch[2]);
    CHECK(h.metrics.channels_active.load() == 3);
    h.close(ann);
    CHECK(w1->next<presence_notice>().state == presence_notice::change::left);
    CHECK(w2->next<presence_notice>().user == "ann");
    CHECK(h.metrics.channels_active.load() == 2);  // ch[0] had no one else
    h.send(w1, channels_request{});
    auto list = w1->next<channel_list>();
    REQUIRE(list.channels.size() == 2);
}

TEST_CASE("hub moderation: a close while a join is pending leaves nothing behind") {
    hub_harness h(4);
    auto w = h.named("w", "quiet");
    h.store.hold();
    auto c = h.connect("quiet");
    h.run();
    h.close(c);
    h.store.release();
    h.run();
    CHECK(c->count<joined_notice>() == 0);
    h.send(w, channels_request{});
    auto list = w->next<channel_list>();
    REQUIRE(list.channels.size() == 1);
    CHECK(list.channels[0] == channel_summary{"quiet", 1});
    // Only w was a member: once it leaves, the channel (no history) is gone.
    h.send(w, leave_request{"quiet"});
    CHECK(h.metrics.channels_active.load() == 0);
    h.send(w, channels_request{});
    CHECK(w->next<channel_list>().channels.empty());
}
