// chat_model with an account: the token's connection, its role, admin commands, and the
// "sign in again" guess when a token stops working.
#include "model/chat_model.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using namespace parley;
using namespace parley::client;
using namespace parley::client::test;

namespace {

/// A model configured with an account token and no guest name.
model_config token_config(std::string token = "tok") {
    model_config config = test_model_config();
    config.token = std::move(token);
    config.user_name.clear();
    return config;
}

/// Starts, opens and welcomes as `user` with `role`; the account needs no identity.
void sign_in(harness& h, const std::string& user, const std::string& role) {
    h.model.start(h.now);
    h.open();
    connection_info info;
    info.id = "general";
    info.session = "s1";
    info.server = "parley/1.0";
    info.user = user;
    info.role = role;
    h.server(info);
    h.server(joined_notice{"general", {user, "bob"}});
}

/// The transport fails a connection before it opens (an HTTP 401 looks like this).
void refuse(harness& h) {
    h.model.handle(transport_event{transport_event::kind::error, "handshake failed", 0}, h.now);
    h.model.handle(transport_event{transport_event::kind::closed, {}, 1006}, h.now);
}

/// Moves the clock to the pending reconnect and ticks.
void reconnect(harness& h) {
    REQUIRE(h.model.reconnect_at());
    h.now = *h.model.reconnect_at();
    h.model.tick(h.now);
}

}  // namespace

TEST_CASE("the connection frame's user and role make the model ready under that account") {
    harness h(token_config());
    sign_in(h, "boss", "admin");
    CHECK(h.model.state() == connection_state::ready);
    CHECK(h.model.user_name() == "boss");
    CHECK(h.model.role() == "admin");
    CHECK(h.model.is_admin());
    CHECK(h.model.can_post());
    CHECK(h.sent_of<identity_request>().empty());
}

TEST_CASE("a guest connection has no role") {
    harness h;
    h.connect_ready();
    CHECK(h.model.role().empty());
    CHECK_FALSE(h.model.is_admin());
}

TEST_CASE("an admin's kick and ban go to the server") {
    harness h(token_config());
    sign_in(h, "boss", "admin");
    h.take_sent();
    CHECK(h.model.kick("general", "bob", h.now));
    CHECK(h.model.ban("bob", 60, h.now));
    const std::vector<client_frame> sent = h.take_sent();
    REQUIRE(sent.size() == 2);
    const auto* kicked = std::get_if<kick_request>(&sent[0].message);
    REQUIRE(kicked);
    CHECK(kicked->channel == "general");
    CHECK(kicked->user == "bob");
    const auto* banned = std::get_if<ban_request>(&sent[1].message);
    REQUIRE(banned);
    CHECK(banned->user == "bob");
    CHECK(banned->minutes == 60);
}

TEST_CASE("kick and ban are refused locally for a non-admin, and say why") {
    harness h(token_config());
    sign_in(h, "carol", "user");
    h.take_sent();
    CHECK_FALSE(h.model.kick("general", "bob", h.now));
    CHECK(h.last_error().code == error_code::forbidden);
    CHECK_FALSE(h.model.ban("bob", 60, h.now));
    CHECK(h.take_sent().empty());
}

TEST_CASE("a ban outside 1 minute to a year, or of a malformed name, is refused") {
    harness h(token_config());
    sign_in(h, "boss", "admin");
    h.take_sent();
    CHECK_FALSE(h.model.ban("bob", 0, h.now));
    CHECK_FALSE(h.model.ban("bob", limits::max_ban_minutes + 1, h.now));
    CHECK_FALSE(h.model.ban("not a name", 5, h.now));
    CHECK_FALSE(h.model.kick("general", "", h.now));
    CHECK(h.take_sent().empty());
    CHECK(h.model.ban("bob", limits::max_ban_minutes, h.now));
}

TEST_CASE("an admin may delete another user's message") {
    harness h(token_config());
    sign_in(h, "boss", "admin");
    h.server(history_page{"general", {msg(7, "general", "bob", "spam")}, false});
    h.take_sent();
    CHECK(h.model.delete_message(7, h.now));
    const auto deletes = h.sent_of<delete_request>();
    REQUIRE(deletes.size() == 1);
    CHECK(deletes[0].first.id == 7);
}

TEST_CASE("two refused connections in a row with a token ask the user to sign in again") {
    harness h(token_config());
    h.model.start(h.now);
    refuse(h);
    CHECK_FALSE(h.model.sign_in_needed());  // one lost handshake is not enough
    reconnect(h);
    refuse(h);
    CHECK(h.model.sign_in_needed());
    // It keeps trying: a server that was merely down clears the flag when it is back.
    CHECK(h.model.state() == connection_state::reconnecting);
    reconnect(h);
    h.open();
    CHECK_FALSE(h.model.sign_in_needed());
}

TEST_CASE("a connection that opened in between resets the refusal count") {
    harness h(token_config());
    h.model.start(h.now);
    refuse(h);
    reconnect(h);
    h.open();
    h.drop();
    reconnect(h);
    refuse(h);
    CHECK_FALSE(h.model.sign_in_needed());
}

TEST_CASE("a guest's refused connections never ask for a sign-in") {
    harness h;
    h.model.start(h.now);
    refuse(h);
    reconnect(h);
    refuse(h);
    CHECK_FALSE(h.model.sign_in_needed());
}

TEST_CASE("use_token reconnects with the new token and clears the sign-in flag") {
    harness h(token_config("old"));
    h.model.start(h.now);
    refuse(h);
    reconnect(h);
    refuse(h);
    REQUIRE(h.model.sign_in_needed());
    h.model.use_token("new", h.now);
    CHECK_FALSE(h.model.sign_in_needed());
    CHECK(h.link.urls.back() == "ws://127.0.0.1:9/general?token=new");
    CHECK(h.model.state() == connection_state::connecting);
}

TEST_CASE("signing out reconnects as a read-only guest without the account's name") {
    harness h(token_config());
    sign_in(h, "carol", "user");
    h.model.use_token("", h.now);
    CHECK(h.link.urls.back() == "ws://127.0.0.1:9/general");
    h.open();
    h.welcome();
    CHECK(h.model.state() == connection_state::ready);
    CHECK(h.model.user_name().empty());
    CHECK(h.model.role().empty());
    CHECK(h.sent_of<identity_request>().empty());
}

TEST_CASE("a ban closes the link with a reason the user sees, and its refusals are not a dead session") {
    harness h(token_config());
    sign_in(h, "dora", "user");
    h.model.handle(transport_event{transport_event::kind::closed, "banned", 1008}, h.now);
    REQUIRE(h.model.last_error());
    CHECK(h.model.last_error()->source == error_source::server);
    CHECK(h.model.last_error()->message.find("banned") != std::string::npos);
    CHECK(h.model.state() == connection_state::reconnecting);  // back when the ban ends
    // The ban's 403s look like a revoked token's 401s from here: not a reason to sign out.
    reconnect(h);
    refuse(h);
    reconnect(h);
    refuse(h);
    CHECK_FALSE(h.model.sign_in_needed());
    // Once a connection opens again (the ban ended), refusals count as before.
    reconnect(h);
    h.open();
    h.drop();
    reconnect(h);
    refuse(h);
    reconnect(h);
    refuse(h);
    CHECK(h.model.sign_in_needed());
}

TEST_CASE("another 1008 close is a lost connection, not a ban") {
    harness h;
    h.connect_ready();
    h.model.handle(transport_event{transport_event::kind::closed, "slow consumer", 1008}, h.now);
    REQUIRE(h.model.last_error());
    CHECK(h.model.last_error()->source == error_source::link);
}
