#include "model/chat_model.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using namespace parley;
using namespace parley::client;
using namespace parley::client::test;

TEST_CASE("joined and presence keep the online names and count") {
    harness h;
    h.connect_ready({}, false, {"bob", "ann"});
    CHECK(h.channel().users == std::vector<std::string>{"ann", "bob"});
    CHECK(h.channel().online == 2);
    h.server(presence_notice{"general", "cy", presence_notice::change::joined, 3});
    CHECK(h.channel().users == std::vector<std::string>{"ann", "bob", "cy"});
    CHECK(h.channel().online == 3);
    h.server(presence_notice{"general", "bob", presence_notice::change::left, 2});
    CHECK(h.channel().users == std::vector<std::string>{"ann", "cy"});
    CHECK(h.channel().online == 2);
    h.server(presence_notice{"general", "cy", presence_notice::change::joined, 2});  // repeated: no duplicate
    CHECK(h.channel().users.size() == 2);
}

TEST_CASE("a typing notice is shown for 5 s after the last one") {
    harness h;
    h.connect_ready();
    h.server(typing_notice{"general", "bob"});
    REQUIRE(h.channel().typing.size() == 1);
    CHECK(describe_typing(h.channel().typing) == "bob is typing\xE2\x80\xA6");
    h.advance(3000);
    h.server(typing_notice{"general", "bob"});  // extends it
    h.advance(4999);
    CHECK(h.channel().typing.size() == 1);
    h.advance(1);
    CHECK(h.channel().typing.empty());
}

TEST_CASE("a message or a departure ends that user's typing notice") {
    harness h;
    h.connect_ready();
    h.server(typing_notice{"general", "bob"});
    h.server(typing_notice{"general", "cy"});
    h.server(msg(1, "general", "bob", "done"));
    REQUIRE(h.channel().typing.size() == 1);
    CHECK(h.channel().typing[0].user == "cy");
    h.server(presence_notice{"general", "cy", presence_notice::change::left, 1});
    CHECK(h.channel().typing.empty());
}

TEST_CASE("typing is sent at most once per 2 s while the user types") {
    harness h;
    h.connect_ready();
    h.take_sent();
    h.model.note_typing(h.now);
    h.model.note_typing(h.now + 500);
    h.model.note_typing(h.now + 1999);
    auto sent = h.sent_of<typing_request>();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].first.channel == "general");
    h.model.note_typing(h.now + 2000);
    CHECK(h.sent_of<typing_request>().size() == 1);
}

TEST_CASE("load_older pages back from the oldest id until has_more is false") {
    harness h;
    h.connect_ready(msgs(101, 150, "general"), true);
    h.take_sent();
    CHECK(h.channel().has_more_before);
    REQUIRE(h.model.load_older("general"));
    CHECK(h.channel().loading_older);
    CHECK_FALSE(h.model.load_older("general"));  // one request at a time
    auto pages = h.sent_of<history_request>();
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].first.before == 101);
    CHECK_FALSE(pages[0].first.after);
    h.server(history_page{"general", msgs(1, 100, "general"), false});
    CHECK_FALSE(h.channel().loading_older);
    CHECK_FALSE(h.channel().has_more_before);
    CHECK(h.ids() == range(1, 150));
    CHECK_FALSE(h.model.load_older("general"));
    CHECK(h.sent_of<history_request>().empty());
}

TEST_CASE("unread counts others' messages in channels not shown, and resets when shown") {
    harness h;
    h.connect_ready();
    REQUIRE(h.model.join_channel("random", h.now));
    CHECK(h.model.active_channel() == "random");
    h.server(joined_notice{"random", {"ann"}});
    h.server(history_page{"random", {}, false});
    h.server(msg(1, "general", "bob", "a"));
    h.server(msg(2, "general", "bob", "b"));
    h.server(msg(3, "general", "ann", "from me elsewhere"));
    h.server(msg(4, "random", "bob", "here"));
    CHECK(h.channel("general").unread == 2);
    CHECK(h.channel("random").unread == 0);
    CHECK(h.model.set_active_channel("general"));
    CHECK(h.channel("general").unread == 0);
}

TEST_CASE("join sends join and shows the channel; leave drops it on the server's answer") {
    harness h;
    h.connect_ready();
    h.take_sent();
    CHECK(h.model.join_channel("random", h.now));
    auto joins = h.sent_of<join_request>();
    REQUIRE(joins.size() == 1);
    CHECK(joins[0].first.channel == "random");
    CHECK_FALSE(joins[0].first.since);
    CHECK(h.model.channels().size() == 2);
    CHECK(h.model.join_channel("general", h.now));  // already joined: just shown
    CHECK(h.model.active_channel() == "general");
    CHECK(h.sent_of<join_request>().empty());

    CHECK(h.model.leave_channel("random"));
    auto leaves = h.sent_of<leave_request>();
    REQUIRE(leaves.size() == 1);
    CHECK(h.model.find_channel("random") != nullptr);
    h.server(left_notice{"random", std::nullopt});
    CHECK(h.model.find_channel("random") == nullptr);
    CHECK(h.model.errors().empty());
}

TEST_CASE("join refuses a bad channel name before sending") {
    harness h;
    h.connect_ready();
    h.take_sent();
    CHECK_FALSE(h.model.join_channel("Bad Name", h.now));
    CHECK_FALSE(h.model.join_channel("api", h.now));
    CHECK(h.sent_of<join_request>().empty());
    REQUIRE_FALSE(h.model.errors().empty());
    CHECK(h.last_error().code == error_code::no_such_channel);
}

TEST_CASE("a kick drops the channel and tells the user") {
    harness h;
    h.connect_ready();
    h.model.join_channel("random", h.now);
    h.server(left_notice{"random", std::string("kicked")});
    CHECK(h.model.find_channel("random") == nullptr);
    CHECK(h.model.active_channel() == "general");
    REQUIRE_FALSE(h.model.errors().empty());
    CHECK(h.last_error().message.find("removed") != std::string::npos);
}

TEST_CASE("the channel list answer is kept for the UI") {
    harness h;
    h.connect_ready();
    h.take_sent();
    CHECK(h.model.request_channels());
    CHECK(h.sent_of<channels_request>().size() == 1);
    h.server(channel_list{{{"general", 12}, {"random", 3}}});
    REQUIRE(h.model.channel_directory().size() == 2);
    CHECK(h.model.channel_directory()[1].name == "random");
    CHECK(h.model.channel_directory()[1].online == 3);
}

TEST_CASE("messages per channel are capped, the oldest dropped and fetchable again") {
    model_config config = test_model_config();
    config.max_messages_per_channel = 100;
    harness h(config);
    h.connect_ready(msgs(1, 50, "general"));
    for (message_id id = 51; id <= 150; ++id) h.server(msg(id, "general", "bob", "x"));
    CHECK(h.ids() == range(51, 150));
    CHECK(h.channel().has_more_before);
}

TEST_CASE("the revision moves on every visible change") {
    harness h;
    const auto before = h.model.revision();
    h.connect_ready();
    const auto connected = h.model.revision();
    CHECK(connected > before);
    h.server(typing_notice{"general", "bob"});
    CHECK(h.model.revision() > connected);
}

TEST_CASE("one's own name counts among the online once granted, after a joined sent before it") {
    harness h;
    h.model.start(h.now);
    h.open();
    h.welcome();
    h.server(joined_notice{"general", {"bob"}});  // the URL join comes before the name
    CHECK(h.channel().online == 1);
    h.grant();
    CHECK(h.channel().users == std::vector<std::string>{"ann", "bob"});
    CHECK(h.channel().online == 2);
    h.server(joined_notice{"general", {"ann", "bob"}});  // a later join lists us itself
    CHECK(h.channel().online == 2);
}

TEST_CASE("a big channel's joined gives the count; online counts replace it as names come and go") {
    harness h;
    h.model.start(h.now);
    h.open();
    h.welcome();
    h.grant();
    h.server(joined_notice{"general", {"ann", "bob"}, 250});
    CHECK(h.channel().online == 250);
    CHECK(h.channel().users == std::vector<std::string>{"ann", "bob"});
    h.server(online_notice{"general", 312});
    CHECK(h.channel().online == 312);
    h.server(online_notice{"elsewhere", 7});  // a channel not joined: ignored
    CHECK(h.channel().online == 312);
}

TEST_CASE("the channel list is fetched page by page while the server has more") {
    harness h;
    h.connect_ready();
    h.take_sent();
    CHECK(h.model.request_channels());
    CHECK(h.sent_of<channels_request>().size() == 1);
    h.server(channel_list{{{"a", 1}, {"b", 2}}, true});
    auto next = h.sent_of<channels_request>();
    REQUIRE(next.size() == 1);
    CHECK(next[0].first.after == "b");
    h.server(channel_list{{{"c", 3}}, false});
    CHECK(h.sent_of<channels_request>().empty());
    REQUIRE(h.model.channel_directory().size() == 3);
    CHECK(h.model.channel_directory()[2].name == "c");
    // A new request starts the list afresh.
    CHECK(h.model.request_channels());
    h.server(channel_list{{{"z", 1}}, false});
    REQUIRE(h.model.channel_directory().size() == 1);
    CHECK(h.model.channel_directory()[0].name == "z");
}
