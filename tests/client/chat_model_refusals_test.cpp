// Requests answered by an `error` instead of their page: the error's `ref` takes the
// request out, so a refused join stops "Joining…" and the next page is read right
// (issue 12: history answers were matched to the oldest outstanding request).
#include "model/chat_model.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using namespace parley;
using namespace parley::client;
using namespace parley::client::test;

namespace {

/// The nonce of the only frame of type T sent since the last take.
template <class T>
std::string only_nonce(harness& h) {
    auto sent = h.sent_of<T>();
    REQUIRE(sent.size() == 1);
    REQUIRE(sent[0].second);
    return *sent[0].second;
}

/// What the server answers a guest joining a channel where another guest holds its name.
error_notice name_taken(const std::string& channel, const std::string& ref) {
    return error_notice{error_code::name_taken, "another connection in #" + channel + " holds the name ann",
                        ref};
}

/// Drops the link and brings it back as the same guest (URL join of the shown channel).
void reconnect(harness& h) {
    h.take_sent();
    h.drop();
    h.advance(*h.model.reconnect_at() - h.now);
    h.open();
    h.welcome(h.model.active_channel());
}

}  // namespace

TEST_CASE("every join and history request carries a nonce") {
    harness h;
    h.connect_ready(msgs(101, 150, "general"), true);
    h.take_sent();
    REQUIRE(h.model.join_channel("random", h.now));
    CHECK_FALSE(only_nonce<join_request>(h).empty());
    REQUIRE(h.model.load_older("general"));
    CHECK_FALSE(only_nonce<history_request>(h).empty());
}

TEST_CASE("a refused join leaves Joining with the error shown, and a page elsewhere is read right") {
    harness h;
    h.connect_ready(msgs(101, 150, "general"), true);
    h.take_sent();
    REQUIRE(h.model.join_channel("random", h.now));
    const std::string join = only_nonce<join_request>(h);
    h.server(name_taken("random", join));  // no `joined`, no `history`

    CHECK_FALSE(h.channel("random").joined);
    CHECK(h.channel("random").join_failure.find("holds the name ann") != std::string::npos);
    CHECK(h.last_error().code == error_code::name_taken);
    CHECK(h.last_error().ref == join);

    // A scroll-back in the other channel is read as what it is.
    REQUIRE(h.model.set_active_channel("general"));
    REQUIRE(h.model.load_older("general"));
    h.take_sent();
    h.server(history_page{"general", msgs(51, 100, "general"), true});
    CHECK_FALSE(h.channel("general").loading_older);
    CHECK(h.channel("general").has_more_before);
    CHECK(h.ids("general") == range(51, 150));
    CHECK(h.sent_of<history_request>().empty());  // not mistaken for a resume that pages on

    // Joining again (the other guest has gone) asks the server again and then works.
    REQUIRE(h.model.join_channel("random", h.now));
    only_nonce<join_request>(h);
    CHECK(h.channel("random").join_failure.empty());
    h.server(joined_notice{"random", {"ann"}});
    h.server(history_page{"random", msgs(201, 210, "random"), false});
    CHECK(h.channel("random").joined);
    CHECK(h.ids("random") == range(201, 210));
}

TEST_CASE("a rejoin refused after a reconnect is asked again, and its resume page is read as one") {
    harness h;
    h.connect_ready(msgs(1, 5, "general"));
    REQUIRE(h.model.join_channel("random", h.now));
    h.server(joined_notice{"random", {"ann"}});
    h.server(history_page{"random", msgs(6, 8, "random"), false});
    REQUIRE(h.model.set_active_channel("general"));

    reconnect(h);
    const std::string rejoin = only_nonce<join_request>(h);
    h.grant();
    h.server(joined_notice{"general", {"ann"}});
    h.server(history_page{"general", {}, false});
    h.server(name_taken("random", rejoin));
    CHECK_FALSE(h.channel("random").join_failure.empty());

    REQUIRE(h.model.join_channel("random", h.now));
    auto joins = h.sent_of<join_request>();
    REQUIRE(joins.size() == 1);
    CHECK(joins[0].first.since == 8);
    h.server(joined_notice{"random", {"ann"}});
    h.server(history_page{"random", msgs(9, 208, "random"), true});
    // A resume that has more pages on forward from its newest message.
    auto pages = h.sent_of<history_request>();
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].first.after == 208);
    CHECK(h.channel("random").resuming);
}

TEST_CASE("an error on a scroll-back lets the next scroll-back work") {
    // A failed read, and the request budget's refusal (which names the request too).
    error_code code = error_code::server_error;
    SUBCASE("server_error") { code = error_code::server_error; }
    SUBCASE("rate_limited") { code = error_code::rate_limited; }
    harness h;
    h.connect_ready(msgs(101, 150, "general"), true);
    h.take_sent();
    REQUIRE(h.model.load_older("general"));
    const std::string first = only_nonce<history_request>(h);
    h.server(error_notice{code, "refused", first});
    CHECK_FALSE(h.channel().loading_older);
    CHECK(h.channel().has_more_before);

    REQUIRE(h.model.load_older("general"));
    auto pages = h.sent_of<history_request>();
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].first.before == 101);
    h.server(history_page{"general", msgs(51, 100, "general"), true});
    CHECK_FALSE(h.channel().loading_older);
    CHECK(h.channel().has_more_before);
    CHECK(h.ids() == range(51, 150));
}

TEST_CASE("an error on a resume page: the next page, a scroll-back, is read as older, not as the resume") {
    harness h;
    h.connect_ready(msgs(101, 150, "general"), true);
    reconnect(h);
    h.grant();
    h.server(joined_notice{"general", {"ann"}});
    h.take_sent();
    h.server(history_page{"general", msgs(151, 350, "general"), true});
    const std::string resume = only_nonce<history_request>(h);
    CHECK(h.channel().resuming);
    h.server(error_notice{error_code::server_error, "could not read the history of #general", resume});
    CHECK_FALSE(h.channel().resuming);

    REQUIRE(h.model.load_older("general"));
    h.take_sent();
    h.server(history_page{"general", msgs(51, 100, "general"), true});
    CHECK_FALSE(h.channel().loading_older);
    CHECK(h.channel().has_more_before);
    CHECK(h.sent_of<history_request>().empty());  // no `after` request from an older page
    CHECK(h.ids() == range(51, 350));
}

TEST_CASE("pages of one channel answered out of order are told apart by direction") {
    harness h;
    h.connect_ready(msgs(101, 150, "general"), true);
    reconnect(h);
    h.grant();
    h.server(joined_notice{"general", {"ann"}});
    h.server(history_page{"general", msgs(151, 350, "general"), true});  // a resume with more
    REQUIRE(h.model.load_older("general"));                              // and a scroll-back
    h.take_sent();

    h.server(history_page{"general", msgs(51, 100, "general"), true});  // the scroll-back first
    CHECK_FALSE(h.channel().loading_older);
    CHECK(h.channel().has_more_before);
    CHECK(h.channel().resuming);
    CHECK(h.sent_of<history_request>().empty());

    h.server(history_page{"general", msgs(351, 400, "general"), false});  // then the resume's end
    CHECK_FALSE(h.channel().resuming);
    CHECK(h.channel().has_more_before);
    CHECK(h.sent_of<history_request>().empty());
    CHECK(h.ids() == range(51, 400));
}

TEST_CASE("two channels with pages outstanding, answered out of order") {
    harness h;
    h.connect_ready(msgs(101, 150, "general"), true);
    REQUIRE(h.model.join_channel("random", h.now));
    h.server(joined_notice{"random", {"ann"}});
    h.server(history_page{"random", msgs(201, 250, "random"), true});
    REQUIRE(h.model.load_older("general"));
    REQUIRE(h.model.load_older("random"));
    REQUIRE(h.model.join_channel("fishing", h.now));
    h.take_sent();

    h.server(joined_notice{"fishing", {"ann"}});
    h.server(history_page{"fishing", msgs(301, 310, "fishing"), true});
    h.server(history_page{"random", msgs(160, 200, "random"), false});
    h.server(history_page{"general", msgs(51, 100, "general"), true});
    CHECK(h.ids("general") == range(51, 150));
    CHECK(h.ids("random") == range(160, 250));
    CHECK(h.ids("fishing") == range(301, 310));
    CHECK(h.channel("general").has_more_before);
    CHECK_FALSE(h.channel("random").has_more_before);
    CHECK(h.channel("fishing").has_more_before);
    for (const char* name : {"general", "random", "fishing"}) {
        CHECK_FALSE(h.channel(name).loading_older);
        CHECK_FALSE(h.channel(name).resuming);
    }
    CHECK(h.sent_of<history_request>().empty());
}

TEST_CASE("leaving a channel whose join was refused drops it without asking the server") {
    harness h;
    h.connect_ready();
    h.take_sent();
    REQUIRE(h.model.join_channel("random", h.now));
    h.server(name_taken("random", only_nonce<join_request>(h)));
    REQUIRE(h.model.leave_channel("random"));
    CHECK(h.model.find_channel("random") == nullptr);
    CHECK(h.sent_of<leave_request>().empty());
}

TEST_CASE("a leave answered by an error drops the channel instead of leaving it for good") {
    harness h;
    h.connect_ready();
    REQUIRE(h.model.join_channel("random", h.now));
    h.server(joined_notice{"random", {"ann"}});
    h.server(history_page{"random", {}, false});
    h.take_sent();
    REQUIRE(h.model.leave_channel("random"));
    const std::string leave = only_nonce<leave_request>(h);
    h.server(error_notice{error_code::not_in_channel, "not in #random", leave});
    CHECK(h.model.find_channel("random") == nullptr);
}

TEST_CASE("an error naming no outstanding request changes no channel") {
    harness h;
    h.connect_ready(msgs(101, 150, "general"), true);
    REQUIRE(h.model.load_older("general"));
    h.server(error_notice{error_code::rate_limited, "slow down", std::string("someone-else")});
    h.server(error_notice{error_code::rate_limited, "slow down", std::nullopt});
    CHECK(h.channel().loading_older);  // still awaiting its page
    CHECK(h.model.errors().size() == 2);
}
