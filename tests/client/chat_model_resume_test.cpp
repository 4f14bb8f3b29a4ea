#include "model/chat_model.hpp"

#include <doctest/doctest.h>

#include <set>

#include "support/model_harness.hpp"

using namespace parley;
using namespace parley::client;
using namespace parley::client::test;

namespace {

/// Brings the link back after a drop: reconnect timer, open, welcome.
void come_back(harness& h) {
    h.advance(*h.model.reconnect_at() - h.now);
    h.open();
    h.welcome();
}

bool strictly_increasing(const std::vector<message_id>& ids) {
    for (std::size_t i = 1; i < ids.size(); ++i)
        if (ids[i - 1] >= ids[i]) return false;
    return true;
}

}  // namespace

TEST_CASE("reconnect resumes every joined channel after its newest message, without loss or duplicates") {
    harness h;
    h.connect_ready(msgs(1, 5, "general"));
    REQUIRE(h.model.join_channel("random", h.now));
    h.server(joined_notice{"random", {"ann", "cy"}});
    h.server(history_page{"random", msgs(6, 8, "random"), false});
    h.server(msg(9, "general", "bob", "late"));
    CHECK(h.ids("general") == std::vector<message_id>{1, 2, 3, 4, 5, 9});

    h.drop();
    CHECK_FALSE(h.channel("general").joined);
    h.take_sent();
    h.advance(*h.model.reconnect_at() - h.now);
    // The URL joins the shown channel (random, joined last) after its newest message.
    CHECK(h.link.urls.back() == "ws://127.0.0.1:9/random?since=8");
    h.open();
    h.welcome("random");
    auto joins = h.sent_of<join_request>();
    REQUIRE(joins.size() == 1);
    CHECK(joins[0].first.channel == "general");
    CHECK(joins[0].first.since == 9);
    h.grant();
    // The server sends what came after, overlapping what is on screen by one (harmless).
    h.server(joined_notice{"random", {"ann", "cy"}});
    h.server(history_page{"random", {msg(8, "random", "cy", "m8"), msg(11, "random", "cy", "new")}, false});
    h.server(joined_notice{"general", {"ann", "bob"}});
    h.server(history_page{"general", {msg(10, "general", "bob", "missed")}, false});
    h.server(msg(12, "general", "bob", "live"));
    CHECK(h.ids("general") == std::vector<message_id>{1, 2, 3, 4, 5, 9, 10, 12});
    CHECK(h.ids("random") == std::vector<message_id>{6, 7, 8, 11});
    CHECK(h.channel("general").joined);
    CHECK(h.channel("random").joined);
}

TEST_CASE("a resume with more than one page pages forward with after until has_more is false") {
    harness h;
    h.connect_ready(msgs(1, 3, "general"));
    h.drop();
    come_back(h);
    CHECK(h.link.urls.back() == "ws://127.0.0.1:9/general?since=3");
    h.grant();
    h.take_sent();
    h.server(joined_notice{"general", {"ann"}});
    h.server(history_page{"general", msgs(4, 203, "general"), true});
    CHECK(h.channel().resuming);
    auto pages = h.sent_of<history_request>();
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].first.channel == "general");
    CHECK(pages[0].first.after == 203);
    CHECK_FALSE(pages[0].first.before);
    CHECK(pages[0].first.limit == 200);

    h.server(msg(500, "general", "bob", "live while paging"));  // newer than the gap
    h.server(history_page{"general", msgs(204, 403, "general"), true});
    pages = h.sent_of<history_request>();
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].first.after == 403);  // from the page, not from the live message
    h.server(history_page{"general", msgs(404, 499, "general"), false});
    CHECK(h.sent_of<history_request>().empty());
    CHECK_FALSE(h.channel().resuming);
    CHECK(h.ids() == range(1, 500));
}

TEST_CASE("a resume never repeats what is already on screen") {
    harness h;
    h.connect_ready(msgs(1, 10, "general"));
    h.drop();
    come_back(h);
    h.grant();
    h.server(history_page{"general", msgs(5, 12, "general"), false});  // overlaps 5..10
    h.server(msg(12, "general", "bob", "m12"));                        // and a repeated broadcast
    const auto ids = h.ids();
    CHECK(ids == range(1, 12));
    CHECK(strictly_increasing(ids));
    CHECK(std::set<message_id>(ids.begin(), ids.end()).size() == ids.size());
}

TEST_CASE("messages missed in a channel that is not shown count as unread after a resume") {
    harness h;
    h.connect_ready(msgs(1, 2, "general"));
    h.model.join_channel("random", h.now);
    h.server(joined_notice{"random", {"ann"}});
    h.server(history_page{"random", msgs(3, 4, "random"), false});  // a fresh join's history is not "unread"
    h.model.set_active_channel("general");
    CHECK(h.channel("random").unread == 0);
    h.drop();
    come_back(h);
    h.grant();
    h.server(history_page{"general", {}, false});
    h.server(history_page{"random", msgs(5, 7, "random"), false});
    CHECK(h.channel("random").unread == 3);
    CHECK(h.channel("general").unread == 0);
}

TEST_CASE("an edit missed while away arrives with the resumed history's current text") {
    harness h;
    h.connect_ready(msgs(1, 3, "general"));
    h.drop();
    come_back(h);
    chat_message edited = msg(3, "general", "bob", "changed");
    edited.edited_at = 123;
    h.server(history_page{"general", {edited, msg(4, "general", "bob", "m4")}, false});
    CHECK(h.ids() == range(1, 4));
    CHECK(h.channel().messages[2].text == "changed");
    CHECK(h.channel().messages[2].edited_at == 123);
}

TEST_CASE("a channel with nothing on screen rejoins without since and takes the latest page") {
    harness h;
    h.connect_ready();
    h.drop();
    come_back(h);
    CHECK(h.link.urls.back() == "ws://127.0.0.1:9/general");
    h.server(history_page{"general", msgs(51, 100, "general"), true});
    CHECK(h.channel().has_more_before);
    CHECK(h.sent_of<history_request>().empty());  // has_more here means older, not newer
}

namespace {

/// `m` at stream position `seq` in its channel.
chat_message at_seq(chat_message m, std::int64_t seq) {
    m.seq = seq;
    return m;
}

}  // namespace

TEST_CASE("a live message past a gap in its channel's positions pages in what was missed") {
    harness h;
    auto page = msgs(1, 3, "general");
    for (auto& m : page) m.seq = m.id;
    h.connect_ready(page);
    h.take_sent();
    h.server(at_seq(msg(4, "general", "bob", "next"), 4));  // dense: nothing asked
    CHECK(h.sent_of<history_request>().empty());
    // Positions 5 and 6 never came (lost on the way): the next live one is 7.
    h.server(at_seq(msg(9, "general", "bob", "after a gap"), 7));
    auto asked = h.sent_of<history_request>();
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].first.channel == "general");
    CHECK(asked[0].first.after == 4);  // the newest before the gap
    CHECK(h.channel().resuming);
    // Another live one meanwhile asks nothing more.
    h.server(at_seq(msg(10, "general", "cy", "more"), 8));
    CHECK(h.sent_of<history_request>().empty());
    h.server(history_page{"general",
                          {at_seq(msg(7, "general", "bob", "m7"), 5), at_seq(msg(8, "general", "bob", "m8"), 6),
                           at_seq(msg(9, "general", "bob", "after a gap"), 7)},
                          false});
    CHECK_FALSE(h.channel().resuming);
    CHECK(h.ids("general") == std::vector<message_id>{1, 2, 3, 4, 7, 8, 9, 10});
    h.server(at_seq(msg(11, "general", "bob", "dense again"), 9));
    CHECK(h.sent_of<history_request>().empty());
}

TEST_CASE("messages without positions (an older server) never look like a gap") {
    harness h;
    h.connect_ready(msgs(1, 3, "general"));
    h.take_sent();
    h.server(msg(9, "general", "bob", "no seq"));
    h.server(msg(12, "general", "bob", "no seq either"));
    CHECK(h.sent_of<history_request>().empty());
}
