#include "model/chat_model.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using namespace parley;
using namespace parley::client;
using namespace parley::client::test;

TEST_CASE("model connects to the channel's path at start and claims the configured name") {
    harness h;
    CHECK(h.model.state() == connection_state::offline);
    CHECK(h.link.urls.empty());
    h.model.start(h.now);
    REQUIRE(h.link.urls.size() == 1);
    CHECK(h.link.urls[0] == "ws://127.0.0.1:9/general");
    CHECK(h.model.state() == connection_state::connecting);
    h.open();
    h.welcome();
    CHECK(h.model.state() == connection_state::identifying);
    auto identities = h.sent_of<identity_request>();
    REQUIRE(identities.size() == 1);
    CHECK(identities[0].first.user == "ann");
    h.grant();
    CHECK(h.model.state() == connection_state::ready);
    CHECK(h.model.user_name() == "ann");
    CHECK(h.model.can_post());
    CHECK(h.model.server_name() == "parley/1.0");
}

TEST_CASE("model answers every server heartbeat") {
    harness h;
    h.connect_ready();
    h.take_sent();
    for (int i = 0; i < 3; ++i) h.server(heartbeat_notice{true});
    CHECK(h.sent_of<heartbeat_reply>().size() == 3);
}

TEST_CASE("model treats a server silent for three heartbeat periods as dead and reconnects") {
    harness h;
    h.model.start(h.now);
    h.open();
    h.welcome("general", 1000);
    h.grant();
    CHECK(h.model.heartbeat_ms() == 1000);
    h.advance(2000);
    h.server(heartbeat_notice{true});  // any frame proves the server alive
    h.advance(2999);
    CHECK(h.model.state() == connection_state::ready);
    CHECK(h.link.closes == 0);
    h.advance(1);
    CHECK(h.model.state() == connection_state::reconnecting);
    CHECK(h.link.closes == 1);
    REQUIRE_FALSE(h.model.errors().empty());
    CHECK(h.last_error().source == error_source::link);
    REQUIRE(h.model.reconnect_at());
    h.advance(*h.model.reconnect_at() - h.now);
    CHECK(h.model.state() == connection_state::connecting);
    CHECK(h.link.urls.size() == 2);
}

TEST_CASE("reconnect delays grow with each failed attempt, within jitter bounds, and reset on success") {
    harness h;
    h.model.start(h.now);
    const int bases[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (int base : bases) {
        h.drop();  // the attempt failed before opening
        REQUIRE(h.model.state() == connection_state::reconnecting);
        REQUIRE(h.model.reconnect_at());
        const unix_ms delay = *h.model.reconnect_at() - h.now;
        CHECK(delay >= base / 2);
        CHECK(delay <= base);
        h.advance(delay - 1);
        CHECK(h.model.state() == connection_state::reconnecting);
        h.advance(1);
        CHECK(h.model.state() == connection_state::connecting);
    }
    CHECK(h.link.urls.size() == 9);
    h.open();
    h.welcome();
    h.grant();
    CHECK(h.model.reconnect_attempts() == 0);
    h.drop();
    const unix_ms delay = *h.model.reconnect_at() - h.now;
    CHECK(delay >= 250);
    CHECK(delay <= 500);
}

TEST_CASE("a lost connection that never worked is not listed as an error, only shown as the link problem") {
    harness h;
    h.model.start(h.now);
    h.model.handle(transport_event{transport_event::kind::error, "connect: Connection refused", 0}, h.now);
    h.drop();
    CHECK(h.model.errors().empty());
    CHECK(h.model.link_problem().find("closed 1006") != std::string::npos);
}

TEST_CASE("a connection that does not open is given up after the connect timeout and retried") {
    harness h;
    h.model.start(h.now);
    h.advance(9999);
    CHECK(h.model.state() == connection_state::connecting);
    h.advance(1);
    CHECK(h.model.state() == connection_state::reconnecting);
    CHECK(h.link.closes == 1);
}

TEST_CASE("stop closes the link and no reconnect follows") {
    harness h;
    h.connect_ready();
    h.model.stop();
    CHECK(h.model.state() == connection_state::stopped);
    CHECK(h.link.closes == 1);
    h.advance(120'000);
    CHECK(h.link.urls.size() == 1);
    h.model.start(h.now);
    CHECK(h.link.urls.size() == 2);
}

TEST_CASE("a full outgoing queue ends the connection, and the message waits for the next") {
    harness h;
    h.connect_ready();
    h.link.full = true;
    CHECK(h.model.post_message("hello", h.now) == post_result::queued);
    h.advance(1);
    CHECK(h.model.state() == connection_state::reconnecting);
    REQUIRE(h.channel().pending.size() == 1);
    CHECK(h.channel().pending[0].status == pending_message::state::queued);
}

TEST_CASE("an account token goes in the URL and its connection is ready without identity") {
    model_config config = test_model_config();
    config.token = "abc+/=";
    config.user_name.clear();
    harness h(config);
    h.model.start(h.now);
    CHECK(h.link.urls[0] == "ws://127.0.0.1:9/general?token=abc%2B%2F%3D");
    h.open();
    connection_info info;
    info.id = "general";
    info.user = "carol";
    info.role = "user";
    h.server(info);
    CHECK(h.model.state() == connection_state::ready);
    CHECK(h.model.user_name() == "carol");
    CHECK(h.sent_of<identity_request>().empty());
}

TEST_CASE("next_deadline names the earliest timer") {
    harness h;
    CHECK_FALSE(h.model.next_deadline());
    h.model.start(h.now);
    CHECK(h.model.next_deadline() == h.now + 10'000);  // connect timeout
    h.open();
    h.welcome("general", 1000);
    h.grant();
    const unix_ms t0 = h.now;
    CHECK(h.model.next_deadline() == t0 + 3000);  // dead-server check
    h.now = t0 + 2500;
    h.server(typing_notice{"general", "bob"});  // shown until t0 + 7500
    CHECK(h.model.next_deadline() == t0 + 5500);  // the frame moved the dead-server check
    h.now = t0 + 5000;
    h.server(heartbeat_notice{true});
    CHECK(h.model.next_deadline() == t0 + 7500);  // now the typing notice ends first
    h.model.stop();
    CHECK_FALSE(h.model.next_deadline());
}

TEST_CASE("unreadable server frames are listed and the connection goes on") {
    harness h;
    h.connect_ready();
    h.model.handle(transport_event{transport_event::kind::text, "{not json", 0}, h.now);
    REQUIRE_FALSE(h.model.errors().empty());
    CHECK(h.last_error().source == error_source::server);
    CHECK(h.model.state() == connection_state::ready);
}

TEST_CASE("tick applies the transport's queued events in order") {
    harness h;
    h.model.start(h.now);
    h.link.queue(transport_event{transport_event::kind::opened, {}, 0});
    connection_info info;
    info.id = "general";
    h.link.queue(transport_event{transport_event::kind::text, encode(server_message{info}), 0});
    h.link.queue(transport_event{transport_event::kind::text,
                                 encode(server_message{identity_result{true, "ann", std::nullopt}}), 0});
    h.advance(1);
    CHECK(h.model.state() == connection_state::ready);
}
