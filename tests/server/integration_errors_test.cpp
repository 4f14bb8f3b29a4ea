// Integration: every error code the server answers with and every way it closes a
// connection (PROTOCOL.md Errors, Details; docs/protocol.md), over real loopback sockets.
//
// `server_error` is not tested here: the server sends it only when storage fails, and a
// real server on a healthy temp dir cannot be made to fail on demand. The store's own
// tests cover its failure paths.
#include "support/raw_ws_client.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace parley;
using namespace parley::test;

namespace {

/// `text` repeated `n` times.
std::string repeat(std::string_view text, std::size_t n) {
    std::string out;
    out.reserve(text.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += text;
    return out;
}

/// A JSON text frame of exactly `size` bytes that the server answers with unknown_type.
std::string padded_frame(std::size_t size) {
    const std::string head = R"({"type":"pad","x":")";
    const std::string tail = R"("})";
    return head + std::string(size - head.size() - tail.size(), 'a') + tail;
}

using fixture = server_fixture;

/// A connected, welcomed and named client in `channel`.
std::unique_ptr<test_client> named(fixture& f, const std::string& name, const std::string& channel = "general") {
    auto c = std::make_unique<test_client>(f.server.port(), "/" + channel);
    c->read_welcome();
    REQUIRE(c->identify(name).success);
    return c;
}

/// Joins `channel` and waits for its joined and history frames.
void join(test_client& c, const std::string& channel) {
    c.send(client_frame{join_request{channel, std::nullopt}, std::nullopt});
    REQUIRE(c.next_of<joined_notice>());
    REQUIRE(c.next_of<history_page>());
}

/// The next error frame; fails the test case if none comes.
error_notice expect_error(test_client& c) {
    auto e = c.next_of<error_notice>();
    REQUIRE(e);
    return *e;
}

/// Proves the connection is still served: a `channels` request is answered.
bool still_served(test_client& c) {
    c.send(client_frame{channels_request{}, std::nullopt});
    return c.next_of<channel_list>().has_value();
}

}  // namespace

// ------------------------------------------------------------------ malformed frames

TEST_CASE("a frame that is not JSON gets invalid_json and the connection stays open") {
    fixture f;
    test_client c(f.server.port());
    c.read_welcome();
    for (const char* bad : {"{not json", "", "{\"type\":\"message\",", "1e400", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]"}) {
        CAPTURE(bad);
        c.send(bad);
        const auto e = expect_error(c);
        CHECK(e.code == error_code::invalid_json);
        CHECK_FALSE(e.ref);
    }
    CHECK(still_served(c));
}

TEST_CASE("a binary frame, a non-object and an object without a string type get invalid_message") {
    fixture f;
    test_client c(f.server.port());
    c.read_welcome();
    c.send_binary(R"({"type":"channels"})");
    CHECK(expect_error(c).code == error_code::invalid_message);
    for (const char* bad : {"[1,2]", "\"message\"", "42", R"({"text":"hi"})", R"({"type":5,"nonce":"n1"})"}) {
        CAPTURE(bad);
        c.send(bad);
        CHECK(expect_error(c).code == error_code::invalid_message);
    }
    CHECK(still_served(c));
}

TEST_CASE("invalid_message carries the nonce as ref, and a bad nonce is invalid_message without ref") {
    fixture f;
    test_client c(f.server.port());
    c.read_welcome();
    c.send(R"({"type":5,"nonce":"n1"})");
    auto e = expect_error(c);
    CHECK(e.code == error_code::invalid_message);
    CHECK(e.ref == "n1");
    c.send(R"({"type":"history","limit":"many","nonce":"n2"})");
    e = expect_error(c);
    CHECK(e.code == error_code::invalid_message);
    CHECK(e.ref == "n2");
    c.send(R"({"type":"channels","nonce":")" + std::string(65, 'n') + R"("})");
    e = expect_error(c);
    CHECK(e.code == error_code::invalid_message);
    CHECK_FALSE(e.ref);
}

TEST_CASE("a message without channel while in two channels gets invalid_message with ref") {
    fixture f;
    auto ann = named(f, "ann");
    join(*ann, "random");
    ann->send(post("where does this go", "m1"));
    const auto e = expect_error(*ann);
    CHECK(e.code == error_code::invalid_message);
    CHECK(e.ref == "m1");
    // typing and history without channel are just as ambiguous.
    ann->send(R"({"type":"history","nonce":"h1"})");
    CHECK(expect_error(*ann).code == error_code::invalid_message);
    // With the channel named, the same post goes through.
    ann->send(post("here", "m2", "random"));
    auto echo = ann->next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->channel == "random");
    CHECK(echo->nonce == "m2");
}

TEST_CASE("an unknown type gets unknown_type with the nonce as ref") {
    fixture f;
    test_client c(f.server.port());
    c.read_welcome();
    c.send(R"({"type":"dance","nonce":"d1","style":"waltz"})");
    const auto e = expect_error(c);
    CHECK(e.code == error_code::unknown_type);
    CHECK(e.ref == "d1");
    CHECK(still_served(c));
}

// ------------------------------------------------------------------ refusals

TEST_CASE("posting, typing, editing and deleting before identity get not_identified with ref") {
    fixture f;
    test_client c(f.server.port());
    c.read_welcome();
    c.send(post("hello", "p1"));
    auto e = expect_error(c);
    CHECK(e.code == error_code::not_identified);
    CHECK(e.ref == "p1");
    c.send(R"({"type":"typing","nonce":"t1"})");
    e = expect_error(c);
    CHECK(e.code == error_code::not_identified);
    CHECK(e.ref == "t1");
    c.send(R"({"type":"edit","id":1,"text":"x","nonce":"e1"})");
    e = expect_error(c);
    CHECK(e.code == error_code::not_identified);
    CHECK(e.ref == "e1");
    c.send(R"({"type":"delete","id":1,"nonce":"x1"})");
    e = expect_error(c);
    CHECK(e.code == error_code::not_identified);
    CHECK(e.ref == "x1");
    // Reading is allowed before identity.
    c.send(R"({"type":"history","nonce":"h1"})");
    CHECK(c.next_of<history_page>());
}

TEST_CASE("joining a channel where another connection holds the guest name gets name_taken") {
    fixture f;
    auto first = named(f, "ann", "general");
    auto second = named(f, "Ann", "random");  // names are unique per channel: elsewhere it is free
    second->send(R"({"type":"join","channel":"general","nonce":"j1"})");
    const auto e = expect_error(*second);
    CHECK(e.code == error_code::name_taken);
    CHECK(e.ref == "j1");
    // The refused join left it outside the channel.
    second->send(post("sneaking in", "p1", "general"));
    const auto refused = expect_error(*second);
    CHECK(refused.code == error_code::not_in_channel);
    CHECK(refused.ref == "p1");
}

TEST_CASE("posting to, paging and leaving a channel not joined get not_in_channel with ref") {
    fixture f;
    auto ann = named(f, "ann");
    ann->send(post("hello", "p1", "random"));
    auto e = expect_error(*ann);
    CHECK(e.code == error_code::not_in_channel);
    CHECK(e.ref == "p1");
    ann->send(R"({"type":"history","channel":"random","nonce":"h1"})");
    e = expect_error(*ann);
    CHECK(e.code == error_code::not_in_channel);
    CHECK(e.ref == "h1");
    ann->send(R"({"type":"typing","channel":"random","nonce":"t1"})");
    e = expect_error(*ann);
    CHECK(e.code == error_code::not_in_channel);
    CHECK(e.ref == "t1");
    ann->send(R"({"type":"leave","channel":"random","nonce":"l1"})");
    e = expect_error(*ann);
    CHECK(e.code == error_code::not_in_channel);
    CHECK(e.ref == "l1");
}

TEST_CASE("a connection in no channel posting without channel gets not_in_channel") {
    fixture f;
    auto ann = named(f, "ann");
    ann->send(R"({"type":"leave","channel":"general"})");
    REQUIRE(ann->next_of<left_notice>());
    ann->send(post("anyone?", "p1"));
    const auto e = expect_error(*ann);
    CHECK(e.code == error_code::not_in_channel);
    CHECK(e.ref == "p1");
}

TEST_CASE("a channel name that breaks the rule or is reserved gets no_such_channel in any frame") {
    fixture f;
    auto ann = named(f, "ann");
    for (const char* frame : {R"({"type":"join","channel":"Bad.Name","nonce":"r1"})",
                              R"({"type":"join","channel":"api","nonce":"r1"})",
                              R"({"type":"join","channel":"metrics","nonce":"r1"})",
                              R"({"type":"join","channel":"-dash","nonce":"r1"})",
                              R"({"type":"join","channel":"abcdefghijklmnopqrstuvwxyz0123456","nonce":"r1"})",
                              R"({"type":"message","channel":"Bad.Name","text":"hi","nonce":"r1"})",
                              R"({"type":"leave","channel":"healthz","nonce":"r1"})",
                              R"({"type":"history","channel":"UPPER","nonce":"r1"})"}) {
        CAPTURE(frame);
        ann->send(frame);
        const auto e = expect_error(*ann);
        CHECK(e.code == error_code::no_such_channel);
        CHECK(e.ref == "r1");
    }
    // A name of exactly 32 characters is a channel.
    join(*ann, "abcdefghijklmnopqrstuvwxyz012345");
}

TEST_CASE("kick and ban by a guest are forbidden") {
    fixture f;
    auto ann = named(f, "ann");
    auto bob = named(f, "bob");
    ann->send(R"({"type":"kick","channel":"general","user":"bob","nonce":"k1"})");
    auto e = expect_error(*ann);
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "k1");
    ann->send(R"({"type":"ban","user":"bob","minutes":10,"nonce":"b1"})");
    e = expect_error(*ann);
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "b1");
    // bob is still there and can post.
    bob->send(post("still here", "s1"));
    auto echo = bob->next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->nonce == "s1");
}

TEST_CASE("editing or deleting someone else's message is forbidden") {
    fixture f;
    auto ann = named(f, "ann");
    auto bob = named(f, "bob");
    ann->send(post("ann's words", "a1"));
    auto echo = ann->next_of<chat_message>();
    REQUIRE(echo);
    REQUIRE(bob->next_of<chat_message>());
    bob->send(R"({"type":"edit","id":)" + std::to_string(echo->id) + R"(,"text":"bob's words","nonce":"e1"})");
    auto e = expect_error(*bob);
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "e1");
    bob->send(R"({"type":"delete","id":)" + std::to_string(echo->id) + R"(,"nonce":"d1"})");
    e = expect_error(*bob);
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "d1");
    // The history still holds ann's text.
    bob->send(R"({"type":"history"})");
    auto page = bob->next_of<history_page>();
    REQUIRE(page);
    REQUIRE(page->messages.size() == 1);
    CHECK(page->messages[0].text == "ann's words");
}

TEST_CASE("a guest's second connection with the same name cannot edit the first connection's message") {
    fixture f;
    auto first = named(f, "ann", "general");
    first->send(post("original", "o1"));
    auto echo = first->next_of<chat_message>();
    REQUIRE(echo);
    const std::string id = std::to_string(echo->id);

    // Same name, another connection (in another channel while the first is online).
    auto second = named(f, "ann", "random");
    second->send(R"({"type":"edit","id":)" + id + R"(,"text":"impostor","nonce":"e1"})");
    auto e = expect_error(*second);
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "e1");
    second->send(R"({"type":"delete","id":)" + id + R"(,"nonce":"d1"})");
    e = expect_error(*second);
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "d1");

    // After the first connection is gone, a new one in the same channel under the same name is no author either.
    first.reset();
    auto third = std::make_unique<test_client>(f.server.port(), "/general");
    third->read_welcome();
    // The old connection may still hold the name for a moment after its socket closed.
    identity_result granted;
    for (int i = 0; i < 50 && !(granted = third->identify("ann")).success; ++i)
        std::this_thread::sleep_for(20ms);
    REQUIRE(granted.success);
    third->send(R"({"type":"edit","id":)" + id + R"(,"text":"impostor","nonce":"e2"})");
    e = expect_error(*third);
    CHECK(e.code == error_code::forbidden);
    CHECK(e.ref == "e2");
}

TEST_CASE("the author's own connection may edit and delete its message") {
    // The positive control of the forbidden cases: the same requests from the author succeed.
    fixture f;
    auto ann = named(f, "ann");
    ann->send(post("first draft", "a1"));
    auto echo = ann->next_of<chat_message>();
    REQUIRE(echo);
    ann->send(R"({"type":"edit","id":)" + std::to_string(echo->id) + R"(,"text":"second draft"})");
    auto edited = ann->next_of<edited_notice>();
    REQUIRE(edited);
    CHECK(edited->id == echo->id);
    CHECK(edited->text == "second draft");
    ann->send(R"({"type":"delete","id":)" + std::to_string(echo->id) + "}");
    auto deleted = ann->next_of<deleted_notice>();
    REQUIRE(deleted);
    CHECK(deleted->id == echo->id);
}

TEST_CASE("over the rate limit posts get rate_limited, the connection stays, and posting works after a pause") {
    fixture f;  // defaults: 10 messages/s, bursts of 20, the bucket starts full
    auto ann = named(f, "ann");
    std::set<std::string> nonces;
    for (int i = 0; i < 25; ++i) {
        const std::string nonce = "r" + std::to_string(i);
        nonces.insert(nonce);
        ann->send(post("flood " + std::to_string(i), nonce));
    }
    int echoes = 0, limited = 0;
    while (echoes + limited < 25) {
        auto m = ann->next();
        REQUIRE(m);
        if (auto* echo = std::get_if<chat_message>(&*m)) {
            CHECK(nonces.count(echo->nonce.value_or("")) == 1);
            ++echoes;
        } else if (auto* e = std::get_if<error_notice>(&*m)) {
            CHECK(e->code == error_code::rate_limited);
            CHECK(nonces.count(e->ref.value_or("")) == 1);
            ++limited;
        }
    }
    CHECK(echoes >= 20);  // the burst
    CHECK(limited >= 1);
    CHECK(ann->is_open());

    std::this_thread::sleep_for(400ms);  // the bucket refills (10/s): room for a few more
    ann->send(post("after the pause", "after"));
    auto echo = ann->next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->nonce == "after");
}

TEST_CASE("text over 4000 code points gets too_long with ref; 4000 code points are accepted") {
    fixture f;
    auto ann = named(f, "ann");
    ann->send(post(repeat("\xC3\xA9", 4001), "long"));  // é: 4,001 code points, 8,002 bytes
    const auto e = expect_error(*ann);
    CHECK(e.code == error_code::too_long);
    CHECK(e.ref == "long");

    const std::string emoji = repeat("\xF0\x9F\x98\x80", 4000);  // 4,000 code points, 16,000 bytes
    ann->send(post(emoji, "max"));
    auto echo = ann->next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->nonce == "max");
    CHECK(echo->text == emoji);
}

TEST_CASE("editing or deleting an id that does not exist or was deleted gets not_found") {
    fixture f;
    auto ann = named(f, "ann");
    ann->send(R"({"type":"edit","id":999999,"text":"x","nonce":"e1"})");
    auto e = expect_error(*ann);
    CHECK(e.code == error_code::not_found);
    CHECK(e.ref == "e1");
    ann->send(R"({"type":"delete","id":999999,"nonce":"d1"})");
    e = expect_error(*ann);
    CHECK(e.code == error_code::not_found);
    CHECK(e.ref == "d1");

    ann->send(post("short-lived", "p1"));
    auto echo = ann->next_of<chat_message>();
    REQUIRE(echo);
    const std::string id = std::to_string(echo->id);
    ann->send(R"({"type":"delete","id":)" + id + "}");
    REQUIRE(ann->next_of<deleted_notice>());
    ann->send(R"({"type":"delete","id":)" + id + R"(,"nonce":"d2"})");
    e = expect_error(*ann);
    CHECK(e.code == error_code::not_found);
    CHECK(e.ref == "d2");
    ann->send(R"({"type":"edit","id":)" + id + R"(,"text":"revived","nonce":"e2"})");
    e = expect_error(*ann);
    CHECK(e.code == error_code::not_found);
    CHECK(e.ref == "e2");
}

TEST_CASE("identity fails with taken, invalid and already_identified") {
    fixture f;
    auto ann = named(f, "ann");
    test_client other(f.server.port(), "/general");
    other.read_welcome();

    auto answer = other.identify("ANN");  // unique case-insensitively
    CHECK_FALSE(answer.success);
    CHECK(answer.reason == "taken");
    for (const std::string& bad : std::vector<std::string>{"", "has space", "ann!", "ünïcode", std::string(33, 'a')}) {
        CAPTURE(bad);
        answer = other.identify(bad);
        CHECK_FALSE(answer.success);
        CHECK(answer.reason == "invalid");
    }
    answer = other.identify(std::string(32, 'b'));
    CHECK(answer.success);
    answer = other.identify("carol");
    CHECK_FALSE(answer.success);
    CHECK(answer.reason == "already_identified");
    // The first grant is kept: a post goes out under it.
    other.send(post("who am I", "w1"));
    auto echo = other.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->user == std::string(32, 'b'));
}

TEST_CASE("frames sent right after the upgrade are not refused: the path join counts from the start") {
    // wscat -x and bots send at once after the 101; the URL-path join is a join
    // (PROTOCOL.md Details: Connect), so a post without channel goes to that channel.
    fixture f;
    for (int round = 0; round < 5; ++round) {
        CAPTURE(round);
        const std::string name = "quick" + std::to_string(round);
        const std::string identity = R"({"type":"identity","user":")" + name + R"("})";
        const std::string message = R"({"type":"message","text":"right away","nonce":"w1"})";
        raw_options options;
        if (round % 2 == 1)  // odd rounds pipeline the frames behind the upgrade request itself
            options.after_request = encode_client_frame(0x1, identity) + encode_client_frame(0x1, message);
        raw_ws_client c(f.server.port(), "/general", {}, options);
        REQUIRE(c.status() == 101);
        if (round % 2 == 0) {
            c.send_text(identity);
            c.send_text(message);
        }
        std::optional<chat_message> echo;
        std::vector<error_notice> errors;
        while (!echo) {
            auto m = c.next();
            if (!m) break;
            if (auto* e = std::get_if<error_notice>(&*m)) errors.push_back(*e);
            if (auto* cm = std::get_if<chat_message>(&*m)) echo = *cm;
        }
        std::string codes;
        for (const auto& e : errors) codes += std::string(to_string(e.code)) + " ";
        CAPTURE(codes);
        CHECK(errors.empty());
        REQUIRE(echo);
        CHECK(echo->channel == "general");
        CHECK(echo->user == name);
        CHECK(echo->nonce == "w1");
    }
}

TEST_CASE("a post right after a join request goes to the channel joined") {
    fixture f;
    auto ann = named(f, "ann");
    // No wait for joined: the join is handled first, in order.
    ann->send(R"({"type":"join","channel":"random"})");
    ann->send(post("first in random", "r1", "random"));
    std::optional<chat_message> echo;
    std::optional<error_notice> refused;
    while (!echo && !refused) {
        auto m = ann->next();
        if (!m) break;
        if (auto* cm = std::get_if<chat_message>(&*m)) echo = *cm;
        if (auto* e = std::get_if<error_notice>(&*m)) refused = *e;
    }
    CHECK_FALSE(refused);
    REQUIRE(echo);
    CHECK(echo->channel == "random");
    CHECK(echo->nonce == "r1");
}

// ------------------------------------------------------------------ closing codes

TEST_CASE("a frame over 64 KiB closes with 1009; a frame of exactly 64 KiB is read") {
    fixture f;
    raw_ws_client c(f.server.port(), "/general");
    REQUIRE(c.status() == 101);
    c.read_welcome();
    REQUIRE(c.send_text(padded_frame(64 * 1024)));
    auto e = c.next_of<error_notice>();
    REQUIRE(e);
    CHECK(e->code == error_code::unknown_type);
    // The header alone says 64 KiB + 1: the server refuses before the payload arrives.
    REQUIRE(c.send_header_only(0x1, 64 * 1024 + 1));
    CHECK(c.wait_closed() == 1009);
}

TEST_CASE("with a smaller max_frame, a message over it closes with 1009, fragments summed") {
    fixture f([](server::server_config& c) { c.max_frame = 2048; });
    {
        raw_ws_client c(f.server.port(), "/general");
        c.read_welcome();
        REQUIRE(c.send_text(padded_frame(2048)));
        auto e = c.next_of<error_notice>();
        REQUIRE(e);
        CHECK(e->code == error_code::unknown_type);
        c.send_text(padded_frame(2049));
        CHECK(c.wait_closed() == 1009);
    }
    {
        // Two fragments of 1,500 bytes: each fits, the message does not.
        raw_ws_client c(f.server.port(), "/general");
        c.read_welcome();
        const std::string frame = padded_frame(3000);
        c.send_frame(0x1, std::string_view(frame).substr(0, 1500), false);
        c.send_frame(0x0, std::string_view(frame).substr(1500), true);
        CHECK(c.wait_closed() == 1009);
    }
}

TEST_CASE("Beast's client sending a whole frame over the limit gets 1009") {
    fixture f;
    test_client c(f.server.port(), "/general");
    c.read_welcome();
    c.send(padded_frame(70'000));
    CHECK(c.wait_closed() == 1009);
}

TEST_CASE("RFC 6455 violations close with 1002") {
    fixture f;
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"unmasked frame", std::string("\x81\x02{}", 4)},
        {"reserved bit set", "\xC1" + encode_client_frame(0x1, "{}").substr(1)},
        {"unknown opcode", encode_client_frame(0x3, "{}")},
        {"continuation without a start", encode_client_frame(0x0, "{}")},
        {"fragmented ping", encode_client_frame(0x9, "x", false)},
        {"ping over 125 bytes", encode_client_frame(0x9, std::string(126, 'p'))},
        {"text frame inside a fragmented message",
         encode_client_frame(0x1, "{\"type\"", false) + encode_client_frame(0x1, "{}")},
    };
    for (const auto& [what, bytes] : cases) {
        CAPTURE(what);
        raw_ws_client c(f.server.port(), "/general");
        c.read_welcome();
        REQUIRE(c.send_bytes(bytes));
        CHECK(c.wait_closed() == 1002);
    }
}

TEST_CASE("a message in fragments, split inside a UTF-8 sequence and around a ping, is one message") {
    fixture f;
    raw_ws_client c(f.server.port(), "/general");
    c.read_welcome();
    REQUIRE(c.identify("ann").success);
    // "café": the two bytes of é go into different fragments; a ping sits between them.
    c.send_frame(0x1, "{\"type\":\"message\",\"text\":\"caf\xC3", false);
    c.send_frame(0x9, "between");
    c.send_frame(0x0, "\xA9\",\"nonce\":\"f1\"}", true);
    auto pong = c.next_frame();
    REQUIRE(pong);
    CHECK(pong->opcode == 0xA);
    CHECK(pong->payload == "between");
    auto echo = c.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->text == "caf\xC3\xA9");
    CHECK(echo->nonce == "f1");
}

TEST_CASE("a close from the client is answered with the same code") {
    fixture f;
    raw_ws_client c(f.server.port(), "/general");
    c.read_welcome();
    c.send_frame(0x8, std::string("\x0F\xA0" "bye", 5));  // 4000: an application code
    CHECK(c.wait_closed() == 4000);
}

TEST_CASE("a close pipelined behind the upgrade request is answered, and the session ends at the close deadline") {
    fixture f;  // heartbeat 15 s: the first one is due 7.5 s to 15 s after the upgrade
    raw_options options;
    options.after_request = encode_client_frame(0x8, std::string("\x0F\xA0", 2));  // 4000
    raw_ws_client c(f.server.port(), "/general", {}, options);
    REQUIRE(c.status() == 101);
    CHECK(c.wait_closed() == 4000);
    // The client keeps its socket open and sends nothing more: the server ends the session
    // at its 1.5 s close deadline, which the heartbeat timer must not have replaced.
    for (int i = 0; i < 300 && f.server.metrics().connections_open.load() != 0; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(f.server.metrics().connections_open.load() == 0);
}

TEST_CASE("a text frame with invalid UTF-8 closes with 1007") {
    fixture f;
    raw_ws_client c(f.server.port(), "/general");
    c.read_welcome();
    REQUIRE(c.send_text("{\"type\":\"message\",\"text\":\"\xC3\x28\"}"));
    CHECK(c.wait_closed() == 1007);
}

TEST_CASE("twenty malformed frames are answered and the twenty-first closes with 1008") {
    fixture f;
    raw_ws_client c(f.server.port(), "/general");
    c.read_welcome();
    // Every kind counts: binary, invalid_json, invalid_message, unknown_type.
    for (int i = 0; i < 20; ++i) {
        switch (i % 4) {
            case 0: c.send_frame(0x2, "binary"); break;
            case 1: c.send_text("{oops"); break;
            case 2: c.send_text("[]"); break;
            default: c.send_text(R"({"type":"nope"})"); break;
        }
    }
    int answered = 0;
    while (answered < 20) {
        auto e = c.next_of<error_notice>();
        REQUIRE(e);
        CHECK(counts_toward_error_budget(e->code));
        ++answered;
    }
    CHECK(c.is_open());
    c.send_text("{oops");
    // The 21st is not answered: the next thing is the close.
    CHECK_FALSE(c.next_text());
    CHECK(c.close_code() == 1008);
}

TEST_CASE("refusals such as not_in_channel and forbidden never count toward the 1008 budget") {
    fixture f;
    auto ann = named(f, "ann");
    for (int i = 0; i < 25; ++i) {
        ann->send(R"({"type":"leave","channel":"elsewhere"})");
        CHECK(expect_error(*ann).code == error_code::not_in_channel);
        ann->send(R"({"type":"kick","channel":"general","user":"bob"})");
        CHECK(expect_error(*ann).code == error_code::forbidden);
        ann->send(R"({"type":"ban","user":"bob","minutes":5})");
        CHECK(expect_error(*ann).code == error_code::forbidden);
        ann->send(R"({"type":"history","channel":"elsewhere"})");
        CHECK(expect_error(*ann).code == error_code::not_in_channel);
        // Edits are posts: past the burst of 20 they are refused as rate_limited, also a refusal.
        ann->send(R"({"type":"edit","id":424242,"text":"x"})");
        const auto code = expect_error(*ann).code;
        CHECK((code == error_code::not_found || code == error_code::rate_limited));
    }
    // The whole budget of malformed frames is still there.
    for (int i = 0; i < 20; ++i) {
        ann->send("{oops");
        CHECK(expect_error(*ann).code == error_code::invalid_json);
    }
    CHECK(still_served(*ann));
}

TEST_CASE("a client that stops answering heartbeats is closed with 1001; one that answers stays open") {
    fixture f([](server::server_config& c) { c.heartbeat_ms = 200; });
    test_client silent(f.server.port(), "/general");
    test_client answering(f.server.port(), "/general");
    CHECK(silent.read_welcome().heartbeat_ms == 200);
    answering.read_welcome();
    silent.answer_heartbeats(false);

    // Two unanswered heartbeats close a connection: within 3 periods (600 ms); read the
    // answering one for twice that, answering each heartbeat.
    CHECK_FALSE(answering.next(1200ms));
    CHECK(answering.is_open());
    CHECK(silent.wait_closed(3s) == 1001);
    CHECK(still_served(answering));
}

TEST_CASE("heartbeats say whether the connection has a name yet") {
    fixture f([](server::server_config& c) { c.heartbeat_ms = 100; });
    raw_ws_client c(f.server.port(), "/general");
    c.read_welcome();
    const auto next_heartbeat = [&c]() -> std::optional<heartbeat_notice> {
        while (auto frame = c.next_frame()) {
            if (frame->opcode != 0x1) continue;
            auto decoded = decode_server_message(frame->payload);
            if (!decoded) continue;
            if (auto* h = std::get_if<heartbeat_notice>(&decoded.value())) {
                c.send_text(R"({"type":"heartbeat"})");
                return *h;
            }
        }
        return std::nullopt;
    };
    auto before = next_heartbeat();
    REQUIRE(before);
    CHECK_FALSE(before->authenticated);
    REQUIRE(c.identify("ann").success);
    auto after = next_heartbeat();
    REQUIRE(after);
    CHECK(after->authenticated);
}

TEST_CASE("a consumer that stops reading is closed with 1008 and counted; a reading one gets every message") {
    fixture f([](server::server_config& c) {
        c.send_queue_bytes = 64 * 1024;
        c.rate_limit = 0;
    });
    // A small receive buffer so the kernel holds little of what the server sends it.
    raw_options small_buffer;
    small_buffer.receive_buffer_bytes = 4096;
    raw_ws_client slow(f.server.port(), "/general", {}, small_buffer);
    slow.read_welcome();
    test_client reader(f.server.port(), "/general");
    reader.read_welcome();
    // A raw client posts: it writes each frame in one send with TCP_NODELAY (Beast's client
    // masks in 4 KiB chunks, which Nagle's algorithm would hold back for a delayed ACK).
    auto poster = std::make_unique<raw_ws_client>(f.server.port(), "/general");
    poster->read_welcome();
    REQUIRE(poster->identify("poster").success);

    const std::string big = repeat("\xF0\x9F\x98\x80", 4000);  // 16,000 bytes of text per message
    const int sent =
        post_until(*poster, reader, big, [&] { return f.server.metrics().slow_consumers_dropped.load() != 0; });
    REQUIRE(f.server.metrics().slow_consumers_dropped.load() == 1);
    // Reading again, the slow one gets what was in flight, then the 1008 close.
    CHECK(slow.wait_closed(5s) == 1008);

    // The others carry on and miss nothing.
    for (int i = 0; i < 5; ++i) {
        const std::string nonce = "after" + std::to_string(i);
        poster->send(post("after the drop", nonce));
        auto echo = poster->next_of<chat_message>();
        REQUIRE(echo);
        CHECK(echo->nonce == nonce);
        auto seen = reader.next_of<chat_message>();
        REQUIRE(seen);
        CHECK(seen->id == echo->id);
    }
    CHECK(f.server.metrics().slow_consumers_dropped.load() == 1);
    MESSAGE("messages posted before the drop: " << sent);
}
