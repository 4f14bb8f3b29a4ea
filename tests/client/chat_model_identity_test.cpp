#include "model/chat_model.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using namespace parley;
using namespace parley::client;
using namespace parley::client::test;

namespace {

identity_result refused(const char* reason) { return identity_result{false, std::nullopt, std::string(reason)}; }

void connect_unnamed(harness& h) {
    h.model.start(h.now);
    h.open();
    h.welcome();
}

}  // namespace

TEST_CASE("a taken own name is retried every 500 ms and granted once the old connection lets go") {
    harness h;
    connect_unnamed(h);
    CHECK(h.sent_of<identity_request>().size() == 1);
    for (int i = 0; i < 4; ++i) {
        h.server(refused("taken"));
        CHECK(h.model.state() == connection_state::identifying);
        h.advance(499);
        CHECK(h.sent_of<identity_request>().empty());
        h.advance(1);
        auto again = h.sent_of<identity_request>();
        REQUIRE(again.size() == 1);
        CHECK(again[0].first.user == "ann");  // never another name
    }
    h.grant();
    CHECK(h.model.state() == connection_state::ready);
    CHECK(h.model.user_name() == "ann");
    CHECK(h.model.identity_issue() == identity_problem::none);
    CHECK(h.model.errors().empty());
}

TEST_CASE("a name still taken after about 12 s is reported as taken, and the model stays read-only") {
    harness h;
    connect_unnamed(h);
    h.take_sent();
    int retries = 0;
    for (int i = 0; i < 40 && h.model.state() == connection_state::identifying; ++i) {
        h.server(refused("taken"));
        h.advance(500);
        for (auto& [request, nonce] : h.sent_of<identity_request>()) {
            CHECK(request.user == "ann");
            ++retries;
        }
    }
    CHECK(retries >= 22);
    CHECK(retries <= 24);
    CHECK(h.model.state() == connection_state::ready);
    CHECK(h.model.identity_issue() == identity_problem::taken);
    CHECK_FALSE(h.model.can_post());
    CHECK(h.model.wanted_name() == "ann");
    REQUIRE_FALSE(h.model.errors().empty());
    CHECK(h.last_error().code == error_code::name_taken);
}

TEST_CASE("an invalid name is shown to the user and not retried") {
    harness h;
    connect_unnamed(h);
    h.take_sent();
    h.server(refused("invalid"));
    CHECK(h.model.identity_issue() == identity_problem::invalid);
    CHECK(h.model.state() == connection_state::ready);
    REQUIRE_FALSE(h.model.errors().empty());
    CHECK(h.last_error().message.find("not a valid name") != std::string::npos);
    h.advance(5000);
    CHECK(h.sent_of<identity_request>().empty());
}

TEST_CASE("a model without a name reads until identify(), then sends what was typed") {
    model_config config = test_model_config();
    config.user_name.clear();
    harness h(config);
    connect_unnamed(h);
    CHECK(h.model.state() == connection_state::ready);
    CHECK_FALSE(h.model.can_post());
    CHECK(h.sent_of<identity_request>().empty());
    CHECK(h.model.post_message("hello", h.now) == post_result::queued);
    h.model.identify("zoe", h.now);
    auto claims = h.sent_of<identity_request>();
    REQUIRE(claims.size() == 1);
    CHECK(claims[0].first.user == "zoe");
    h.grant("zoe");
    auto posts = h.sent_of<parley::post_message>();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].first.text == "hello");
}

TEST_CASE("a new name after one is granted reconnects to claim it") {
    harness h;
    h.connect_ready();
    h.take_sent();
    h.model.identify("annie", h.now);
    CHECK(h.model.state() == connection_state::connecting);
    CHECK(h.link.urls.size() == 2);
    h.open();
    h.welcome();
    auto claims = h.sent_of<identity_request>();
    REQUIRE(claims.size() == 1);
    CHECK(claims.back().first.user == "annie");
}

TEST_CASE("the name is claimed again on every reconnect") {
    harness h;
    h.connect_ready();
    h.drop();
    CHECK(h.model.user_name().empty());
    h.advance(*h.model.reconnect_at() - h.now);
    h.take_sent();
    h.open();
    h.welcome();
    auto claims = h.sent_of<identity_request>();
    REQUIRE(claims.size() == 1);
    CHECK(claims[0].first.user == "ann");
}
