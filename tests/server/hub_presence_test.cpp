// The hub with presence shared with other servers (bus/presence.hpp), played by
// fake_presence: online lists, counts and presence frames of every server, guest names
// the database gives or refuses, accounts online on two servers, dead servers, fencing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include "support/hub_harness.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

namespace {

presence_entry elsewhere(const std::string& display, bool is_account = false, const std::string& origin = "other",
                         const std::string& channel = "general") {
    std::string folded = display;
    for (auto& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return {channel, folded, display, is_account, origin};
}

/// The users of the `joined` a fresh connection to `channel` gets, sorted.
std::vector<std::string> online_list(hub_harness& h, const std::string& channel = "general") {
    auto c = h.connect(channel);
    h.run();
    c->next<connection_info>();
    auto users = c->next<joined_notice>().users;
    std::sort(users.begin(), users.end());
    return users;
}

bool told(const hub_harness& h, const std::string& what) {
    return std::find(h.presence.told.begin(), h.presence.told.end(), what) != h.presence.told.end();
}

}  // namespace

TEST_CASE("hub presence: another server's names are in the online list, the count and presence frames") {
    hub_harness h(4, {}, false, true);
    auto ann = h.named("ann");
    CHECK(told(h, "claim general/ann"));
    h.presence.handlers.changed(elsewhere("Zed"), true);
    h.run();
    const auto came = ann->next<presence_notice>();
    CHECK(came.user == "Zed");
    CHECK(came.state == presence_notice::change::joined);
    CHECK(came.online == 2);
    CHECK(online_list(h) == std::vector<std::string>{"Zed", "ann"});
    // Zed is another server's guest in #general: not to be had here.
    auto other = h.open("general");
    h.send(other, identity_request{"zed"});
    const auto refused = other->next<identity_result>();
    CHECK_FALSE(refused.success);
    CHECK(refused.reason == std::optional<std::string>("taken"));
    CHECK_FALSE(told(h, "claim general/zed"));  // refused without asking the database
    h.presence.handlers.changed(elsewhere("Zed"), false);
    h.run();
    const auto went = ann->next<presence_notice>();
    CHECK(went.user == "Zed");
    CHECK(went.state == presence_notice::change::left);
    CHECK(went.online == 1);
}

TEST_CASE("hub presence: the database decides a guest's name, in identity and in a named guest's join") {
    hub_harness h(4, {}, false, true);
    h.presence.taken.insert("general/kim");  // a race the list here had not seen yet
    auto kim = h.open("general");
    h.send(kim, identity_request{"kim"});
    CHECK_FALSE(kim->next<identity_result>().success);
    // Named where the name is free, then joining where another server's guest holds it.
    auto ann = h.named("ann", "lobby");
    h.presence.taken.insert("general/ann");
    h.send(ann, join_request{"general", std::nullopt}, "j1");
    const auto error = ann->next<error_notice>();
    CHECK(error.code == error_code::name_taken);
    CHECK(error.ref == std::optional<std::string>("j1"));
    // Its name in #lobby is given back when it goes.
    h.hub->closed(ann);
    h.run();
    CHECK(told(h, "depart lobby/ann"));
}

TEST_CASE("hub presence: an account online on two servers comes and goes once") {
    hub_harness h(4, {}, false, true);
    auto ann = h.named("ann");
    h.presence.handlers.changed(elsewhere("root", true), true);
    h.run();
    CHECK(ann->next<presence_notice>().user == "root");
    // root signs in here too: online already, nobody is told again; its row is recorded.
    auto root = h.account("root");
    CHECK(told(h, "arrive general/root"));
    CHECK(ann->count<presence_notice>() == 0);
    h.hub->closed(root);
    h.run();
    CHECK(told(h, "depart general/root"));
    CHECK(ann->count<presence_notice>() == 0);  // still online on the other server
    h.presence.handlers.changed(elsewhere("root", true), false);
    h.run();
    CHECK(ann->next<presence_notice>().state == presence_notice::change::left);
}

TEST_CASE("hub presence: a dead server's names leave once each; a snapshot replaces what was known") {
    hub_harness h(4, {}, false, true);
    auto ann = h.named("ann");
    h.presence.handlers.changed(elsewhere("bob", false, "dead"), true);
    h.presence.handlers.changed(elsewhere("cat", false, "dead"), true);
    h.presence.handlers.changed(elsewhere("dan", false, "alive"), true);
    h.run();
    ann->take();
    h.presence.handlers.gone("dead");
    h.run();
    std::vector<std::string> left;
    for (const auto& f : ann->take())
        if (const auto* p = std::get_if<presence_notice>(&f)) {
            CHECK(p->state == presence_notice::change::left);
            left.push_back(p->user);
        }
    std::sort(left.begin(), left.end());
    CHECK(left == std::vector<std::string>{"bob", "cat"});
    // After a reconnection: dan went meanwhile, eve came.
    h.presence.handlers.replaced({elsewhere("eve", false, "alive")});
    h.run();
    CHECK(online_list(h) == std::vector<std::string>{"ann", "eve"});
    int joined = 0, gone = 0;
    for (const auto& f : ann->take())
        if (const auto* p = std::get_if<presence_notice>(&f))
            (p->state == presence_notice::change::joined ? joined : gone) += 1;
    CHECK(joined == 1);
    CHECK(gone == 1);
}

TEST_CASE("hub presence: a kick of a name only another server holds is answered, audited and sent on") {
    hub_harness h(4, {}, false, true);
    auto admin = h.account("root", "general", true);
    h.presence.handlers.changed(elsewhere("kim"), true);
    h.run();
    admin->take();
    h.send(admin, kick_request{"general", "kim"});
    CHECK(admin->count<error_notice>() == 0);
    CHECK(h.names.logged("kick"));
}

TEST_CASE("hub presence: fenced, the server closes every connection") {
    hub_harness h(4, {}, false, true);
    auto ann = h.named("ann");
    auto bob = h.named("bob", "lobby");
    h.presence.handlers.fenced();
    h.run();
    CHECK(ann->close_code == std::optional<std::uint16_t>(1001));
    CHECK(bob->close_code == std::optional<std::uint16_t>(1001));
}

TEST_CASE("hub presence: a channel whose names are all on other servers is listed with their count") {
    hub_harness h(4, {}, false, true);
    auto ann = h.named("ann", "fishing");
    h.presence.handlers.changed(elsewhere("Zed", false, "other", "quiet"), true);
    h.presence.handlers.changed(elsewhere("Yan", false, "other", "quiet"), true);
    h.presence.handlers.changed(elsewhere("Zed", false, "third", "quiet"), true);  // one name, two servers
    h.presence.handlers.changed(elsewhere("Xia", false, "other", "fishing"), true);
    h.run();
    h.send(ann, channels_request{});
    auto list = ann->next<channel_list>();
    REQUIRE(list.channels.size() == 2);
    CHECK(list.channels[0] == channel_summary{"fishing", 2});  // ann here, Xia there
    CHECK(list.channels[1] == channel_summary{"quiet", 2});
    // Paged by name over all of them.
    channels_request after;
    after.after = "fishing";
    h.send(ann, after);
    list = ann->next<channel_list>();
    REQUIRE(list.channels.size() == 1);
    CHECK(list.channels[0] == channel_summary{"quiet", 2});
    // The last of them goes: the channel (never posted to) is gone from the list.
    h.presence.handlers.changed(elsewhere("Yan", false, "other", "quiet"), false);
    h.presence.handlers.gone("other");
    h.presence.handlers.gone("third");
    h.run();
    h.send(ann, channels_request{});
    list = ann->next<channel_list>();
    REQUIRE(list.channels.size() == 1);
    CHECK(list.channels[0] == channel_summary{"fishing", 1});
}

TEST_CASE("hub presence: a guest name online here is told once, whatever its channels, until its last connection goes") {
    hub_harness h(4, {}, false, true);
    auto first = h.named("ann");
    h.send(first, leave_request{"general"});
    auto second = h.named("ann", "random");
    h.run();
    CHECK(std::count(h.presence.told.begin(), h.presence.told.end(), "named ann") == 1);
    h.close(first);
    CHECK_FALSE(told(h, "unnamed ann"));
    h.close(second);
    CHECK(told(h, "unnamed ann"));
}
