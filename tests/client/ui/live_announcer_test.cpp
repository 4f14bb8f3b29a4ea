#include "live_announcer.hpp"

#include <doctest/doctest.h>

using parley::client::channel_state;
using parley::client::message_entry;
using parley::ui::live_announcer;

namespace {

message_entry entry(parley::message_id id, const char* user, const char* text, bool mine = false) {
    message_entry m;
    m.id = id;
    m.user = user;
    m.text = text;
    m.mine = mine;
    return m;
}

}  // namespace

TEST_CASE("messages from others that arrive in the open channel are announced once each") {
    channel_state channel;
    channel.name = "general";
    channel.messages = {entry(1, "ann", "old news")};
    live_announcer announcer;
    CHECK(announcer.update(&channel).empty());  // what was there when it opened
    channel.messages.push_back(entry(2, "bob", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"));
    channel.messages.push_back(entry(3, "me", "mine, not news", true));
    CHECK(announcer.update(&channel) == std::vector<std::string>{"bob: \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"});
    CHECK(announcer.update(&channel).empty());
}

TEST_CASE("older history loaded above, or another channel opened, is not news") {
    channel_state channel;
    channel.name = "general";
    channel.messages = {entry(10, "ann", "a")};
    live_announcer announcer;
    (void)announcer.update(&channel);
    channel.messages.insert(channel.messages.begin(), entry(5, "bob", "older"));
    CHECK(announcer.update(&channel).empty());
    channel_state other;
    other.name = "random";
    other.messages = {entry(20, "cleo", "already here")};
    CHECK(announcer.update(&other).empty());
    other.messages.push_back(entry(21, "cleo", "new here"));
    CHECK(announcer.update(&other) == std::vector<std::string>{"cleo: new here"});
}

TEST_CASE("a burst is read as its first few messages and a count of the rest") {
    channel_state channel;
    channel.name = "general";
    live_announcer announcer;
    (void)announcer.update(&channel);
    for (parley::message_id id = 1; id <= 8; ++id) channel.messages.push_back(entry(id, "bot", "line"));
    const auto lines = announcer.update(&channel);
    REQUIRE(lines.size() == live_announcer::max_lines + 1);
    CHECK(lines.back() == "and 3 more new messages");
}
