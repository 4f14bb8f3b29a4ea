// Integration: no request one client can make closes another client, or itself, through a
// frame its send queue cannot take; every kind of frame is charged to a budget; caps on
// channels per connection and channels per server (issue 11, "No one can disconnect
// someone else"). Real server, real loopback sockets.
#include "support/raw_ws_client.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace parley;
using namespace parley::test;

namespace {

using fixture = server_fixture;

std::string repeat(std::string_view text, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += text;
    return out;
}

client_frame join_frame(const std::string& channel, std::optional<message_id> since = std::nullopt) {
    return client_frame{join_request{channel, since}, std::nullopt};
}

/// The largest reply frame a server with the default 1 MiB send queue builds.
constexpr std::size_t max_reply_bytes = 256 * 1024;

/// Reads raw frames until a `history` frame; checks its size on the wire against the bound.
history_page next_history_within_bound(raw_ws_client& c) {
    for (int i = 0; i < 50; ++i) {
        auto frame = c.next_frame(5s);
        REQUIRE(frame);
        if (frame->opcode != 0x1) continue;
        auto decoded = decode_server_message(frame->payload);
        REQUIRE(decoded.ok());
        if (auto* page = std::get_if<history_page>(&decoded.value())) {
            CHECK(frame->payload.size() <= max_reply_bytes);
            return *page;
        }
    }
    FAIL("no history frame");
    return {};
}

/// `count` messages of 4,000 four-byte code points (about 16 KB of text each) in #big.
std::vector<message_id> post_big_messages(unsigned short port, int count) {
    raw_ws_client poster(port, "/big");
    poster.read_welcome();
    REQUIRE(poster.identify("mallory").success);
    const std::string big = repeat("\xF0\x9F\x98\x80", 4000);
    std::vector<message_id> ids;
    for (int i = 0; i < count; ++i) {
        poster.send(post(big, "b" + std::to_string(i)));
        auto echo = poster.next_of<chat_message>(5s);
        REQUIRE(echo);
        ids.push_back(echo->id);
    }
    return ids;
}

}  // namespace

// ------------------------------------------------------------------ replies bounded in bytes

TEST_CASE("history of big messages comes in pages that fit the send queue; paging back gets every message once") {
    fixture f([](server::server_config& c) { c.rate_limit = 0; });
    const auto ids = post_big_messages(f.server.port(), 200);  // ~3.2 MB: a page of 200 would be 3x the queue

    raw_ws_client victim(f.server.port(), "/big");
    REQUIRE(victim.next_of<connection_info>());
    auto page = next_history_within_bound(victim);  // the join's page
    REQUIRE_FALSE(page.messages.empty());
    CHECK(page.messages.size() < 50);
    CHECK(page.has_more);
    CHECK(page.messages.back().id == ids.back());  // a backwards page keeps the newest

    // `history` with limit 200, then paging back to the start: all 200, none twice, in order.
    std::vector<message_id> seen;
    victim.send(client_frame{history_request{"big", std::nullopt, std::nullopt, 200}, std::nullopt});
    page = next_history_within_bound(victim);
    for (int round = 0; round < 100; ++round) {
        REQUIRE_FALSE(page.messages.empty());
        std::vector<message_id> ids_here;
        for (const auto& m : page.messages) ids_here.push_back(m.id);
        seen.insert(seen.begin(), ids_here.begin(), ids_here.end());
        if (!page.has_more) break;
        victim.send(
            client_frame{history_request{"big", page.messages.front().id, std::nullopt, 200}, std::nullopt});
        page = next_history_within_bound(victim);
    }
    CHECK(seen == ids);
    CHECK(victim.is_open());
}

TEST_CASE("a resume with since after big messages comes in forward pages; paging on with after misses nothing") {
    fixture f([](server::server_config& c) { c.rate_limit = 0; });
    const auto ids = post_big_messages(f.server.port(), 120);

    raw_ws_client victim(f.server.port(), "/big?since=0");
    REQUIRE(victim.next_of<connection_info>());
    auto page = next_history_within_bound(victim);
    REQUIRE_FALSE(page.messages.empty());
    CHECK(page.messages.front().id == ids.front());  // a forward page keeps the oldest
    CHECK(page.has_more);
    std::vector<message_id> seen;
    for (int round = 0; round < 100; ++round) {
        for (const auto& m : page.messages) seen.push_back(m.id);
        if (!page.has_more) break;
        victim.send(
            client_frame{history_request{"big", std::nullopt, page.messages.back().id, 200}, std::nullopt});
        page = next_history_within_bound(victim);
    }
    CHECK(seen == ids);
    CHECK(victim.is_open());
}

TEST_CASE("a reply never closes a reading client even when its queue is nearly full") {
    // A send queue of 64 KiB: the largest reply is a quarter of it; a 16 KB message alone is
    // a quarter too. The history of big messages must still arrive, page by page.
    fixture f([](server::server_config& c) {
        c.rate_limit = 0;
        c.send_queue_bytes = 64 * 1024;
    });
    const auto ids = post_big_messages(f.server.port(), 30);
    raw_ws_client victim(f.server.port(), "/big?since=0");
    REQUIRE(victim.next_of<connection_info>());
    std::vector<message_id> seen;
    auto page = victim.next_of<history_page>(5s);
    for (int round = 0; page && round < 100; ++round) {
        for (const auto& m : page->messages) seen.push_back(m.id);
        if (!page->has_more) break;
        victim.send(
            client_frame{history_request{"big", std::nullopt, page->messages.back().id, 200}, std::nullopt});
        page = victim.next_of<history_page>(5s);
    }
    CHECK(seen == ids);
    CHECK(victim.is_open());
    CHECK(f.server.metrics().slow_consumers_dropped.load() == 0);
}

// ------------------------------------------------------------------ budgets

TEST_CASE("the twenty-first malformed frame of a burst closes with 1008 after the twenty answers are sent") {
    fixture f;
    raw_ws_client c(f.server.port(), "/general");
    c.read_welcome();
    std::string burst;
    for (int i = 0; i < 21; ++i) burst += encode_client_frame(0x1, "{oops");
    REQUIRE(c.send_bytes(burst));
    int answered = 0;
    while (auto text = c.next_text(3s)) {
        auto decoded = decode_server_message(*text);
        REQUIRE(decoded.ok());
        if (auto* e = std::get_if<error_notice>(&decoded.value())) {
            CHECK(e->code == error_code::invalid_json);
            ++answered;
        }
    }
    CHECK(answered == 20);
    CHECK(c.close_code() == 1008);
}

TEST_CASE("every frame is charged to a budget: a flood of heartbeat replies is refused, the connection kept") {
    fixture f;
    raw_ws_client c(f.server.port(), "/general");
    c.read_welcome();
    std::string flood;
    for (int i = 0; i < 1000; ++i) flood += encode_client_frame(0x1, R"({"type":"heartbeat"})");
    REQUIRE(c.send_bytes(flood));
    int refused = 0;
    while (auto e = c.next_of<error_notice>(1s)) {
        CHECK(e->code == error_code::rate_limited);
        ++refused;
    }
    // The budget's burst (220 with the default limits) passes; the rest is refused.
    CHECK(refused >= 700);
    CHECK(refused <= 800);
    CHECK(c.is_open());
}

// ------------------------------------------------------------------ channel caps

TEST_CASE("a connection may be in at most --max-channels-per-connection channels") {
    fixture f([](server::server_config& c) { c.max_channels_per_connection = 3; });
    test_client c(f.server.port(), "/general");
    c.read_welcome();
    c.send(join_frame("two"));
    REQUIRE(c.next_of<joined_notice>());
    c.send(join_frame("three"));
    REQUIRE(c.next_of<joined_notice>());
    c.send(join_frame("four"));
    auto e = c.next_of<error_notice>();
    REQUIRE(e);
    CHECK(e->code == error_code::forbidden);
    // A repeated join of a channel it is in is not a new one.
    c.send(join_frame("two"));
    CHECK(c.next_of<joined_notice>());
    c.send(client_frame{leave_request{"three"}, std::nullopt});
    REQUIRE(c.next_of<left_notice>());
    c.send(join_frame("four"));
    auto joined = c.next_of<joined_notice>();
    REQUIRE(joined);
    CHECK(joined->channel == "four");
}

TEST_CASE("at most --max-channels channels exist; an empty channel without history is forgotten") {
    fixture f([](server::server_config& c) { c.max_channels = 3; });
    test_client ann(f.server.port(), "/general");
    ann.read_welcome();
    REQUIRE(ann.identify("ann").success);
    ann.send(join_frame("kept"));
    REQUIRE(ann.next_of<joined_notice>());
    ann.send(post("history makes a channel last", "k1", "kept"));
    REQUIRE(ann.next_of<chat_message>());
    ann.send(join_frame("brief"));
    REQUIRE(ann.next_of<joined_notice>());

    test_client bob(f.server.port(), "/general");  // an existing channel: always allowed
    bob.read_welcome();
    bob.send(join_frame("fourth"));
    auto e = bob.next_of<error_notice>();
    REQUIRE(e);
    CHECK(e->code == error_code::forbidden);

    // #brief had no history: once empty it no longer counts. #kept does, empty or not.
    ann.send(client_frame{leave_request{"brief"}, std::nullopt});
    REQUIRE(ann.next_of<left_notice>());
    ann.send(client_frame{leave_request{"kept"}, std::nullopt});
    REQUIRE(ann.next_of<left_notice>());
    bob.send(join_frame("fourth"));
    REQUIRE(bob.next_of<joined_notice>());
    bob.send(join_frame("fifth"));
    e = bob.next_of<error_notice>();
    REQUIRE(e);
    CHECK(e->code == error_code::forbidden);
}
