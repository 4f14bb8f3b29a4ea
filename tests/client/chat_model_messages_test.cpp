#include "model/chat_model.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using namespace parley;
using namespace parley::client;
using namespace parley::client::test;

namespace {

using posted = std::vector<std::pair<parley::post_message, std::optional<std::string>>>;

/// Drops the link and brings it back: reconnect timer, open, welcome, grant.
void reconnect(harness& h) {
    h.drop();
    h.advance(*h.model.reconnect_at() - h.now);
    h.open();
    h.welcome();
    h.grant();
}

}  // namespace

TEST_CASE("an own message is shown pending and becomes delivered, once, on the echo with its nonce") {
    harness h;
    h.connect_ready();
    h.take_sent();
    CHECK(h.model.post_message("hi", h.now) == post_result::sent);
    REQUIRE(h.channel().pending.size() == 1);
    CHECK(h.channel().pending[0].status == pending_message::state::sent);
    CHECK(h.channel().messages.empty());
    posted sent = h.sent_of<parley::post_message>();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].first.text == "hi");
    CHECK(sent[0].first.channel == "general");
    REQUIRE(sent[0].second);
    CHECK(*sent[0].second == h.channel().pending[0].nonce);

    h.server(msg(10, "general", "ann", "hi", sent[0].second));
    CHECK(h.channel().pending.empty());
    REQUIRE(h.channel().messages.size() == 1);
    CHECK(h.channel().messages[0].mine);
    CHECK(h.channel().messages[0].text == "hi");
    h.server(msg(10, "general", "ann", "hi"));  // the same id again: still shown once
    CHECK(h.ids() == std::vector<message_id>{10});
}

TEST_CASE("each message gets its own nonce") {
    harness h;
    h.connect_ready();
    h.take_sent();
    h.model.post_message("a", h.now);
    h.model.post_message("b", h.now);
    posted sent = h.sent_of<parley::post_message>();
    REQUIRE(sent.size() == 2);
    CHECK(*sent[0].second != *sent[1].second);
}

TEST_CASE("messages typed while offline are queued and sent on reconnect with their nonces, in order") {
    harness h;
    h.connect_ready();
    h.take_sent();
    h.drop();
    CHECK(h.model.post_message("one", h.now) == post_result::queued);
    CHECK(h.model.post_message("two", h.now) == post_result::queued);
    REQUIRE(h.channel().pending.size() == 2);
    const std::string n1 = h.channel().pending[0].nonce;
    const std::string n2 = h.channel().pending[1].nonce;
    CHECK(h.link.sent.empty());
    h.take_sent();
    h.advance(*h.model.reconnect_at() - h.now);
    h.open();
    h.welcome();
    CHECK(h.sent_of<parley::post_message>().empty());  // not before the name is granted
    h.grant();
    posted sent = h.sent_of<parley::post_message>();
    REQUIRE(sent.size() == 2);
    CHECK(sent[0].first.text == "one");
    CHECK(*sent[0].second == n1);
    CHECK(sent[1].first.text == "two");
    CHECK(*sent[1].second == n2);
    h.server(msg(5, "general", "ann", "one", n1));
    h.server(msg(6, "general", "ann", "two", n2));
    CHECK(h.channel().pending.empty());
    CHECK(h.ids() == std::vector<message_id>{5, 6});
}

TEST_CASE("a message sent but not confirmed before the link broke is resent with the same nonce and shown once") {
    harness h;
    h.connect_ready();
    h.take_sent();
    h.model.post_message("x", h.now);
    const std::string nonce = h.channel().pending[0].nonce;
    h.take_sent();
    reconnect(h);
    posted sent = h.sent_of<parley::post_message>();
    REQUIRE(sent.size() == 1);
    CHECK(*sent[0].second == nonce);
    h.server(msg(7, "general", "ann", "x", nonce));  // the server answers a resend with the stored message
    CHECK(h.channel().pending.empty());
    CHECK(h.ids() == std::vector<message_id>{7});
}

TEST_CASE("a resumed history that shows an unconfirmed own message replaces its pending copy") {
    harness h;
    h.connect_ready(msgs(1, 3, "general"));
    h.take_sent();
    h.model.post_message("x", h.now);
    const std::string nonce = h.channel().pending[0].nonce;
    h.take_sent();
    h.drop();
    h.advance(*h.model.reconnect_at() - h.now);
    CHECK(h.link.urls.back() == "ws://127.0.0.1:9/general?since=3");
    h.open();
    h.welcome();
    h.server(joined_notice{"general", {"ann"}});
    h.server(history_page{"general", {msg(4, "general", "ann", "x")}, false});
    CHECK(h.channel().pending.empty());
    CHECK(h.ids() == range(1, 4));
    h.grant();
    posted sent = h.sent_of<parley::post_message>();
    REQUIRE(sent.size() == 1);  // resent anyway: only the server knows it was this one
    CHECK(*sent[0].second == nonce);
    h.server(msg(4, "general", "ann", "x", nonce));
    CHECK(h.ids() == range(1, 4));
    CHECK(h.channel().messages.back().mine);
}

TEST_CASE("text over 4,000 code points is refused before sending, with a visible reason") {
    harness h;
    h.connect_ready();
    h.take_sent();
    std::string too_long;
    for (int i = 0; i < 4001; ++i) too_long += "\xCE\xB1";  // Greek alpha: 2 bytes, 1 code point
    CHECK(h.model.post_message(too_long, h.now) == post_result::too_long);
    CHECK(h.channel().pending.empty());
    CHECK(h.link.sent.empty());
    REQUIRE_FALSE(h.model.errors().empty());
    CHECK(h.last_error().source == error_source::client);
    CHECK(h.last_error().code == error_code::too_long);
    CHECK(h.last_error().message.find("4001") != std::string::npos);

    std::string at_limit;
    for (int i = 0; i < 4000; ++i) at_limit += "\xCE\xB1";
    CHECK(h.model.post_message(at_limit, h.now) == post_result::sent);
}

TEST_CASE("blank input is ignored without an error; control characters are refused") {
    harness h;
    h.connect_ready();
    CHECK(h.model.post_message(" \n\t", h.now) == post_result::invalid);
    CHECK(h.model.errors().empty());
    CHECK(h.model.post_message(std::string("a\x01" "b"), h.now) == post_result::invalid);
    CHECK(h.model.errors().size() == 1);
    CHECK(h.channel().pending.empty());
}

TEST_CASE("pasted CR LF line breaks are sent as LF") {
    harness h;
    h.connect_ready();
    h.take_sent();
    CHECK(h.model.post_message("a\r\nb\rc", h.now) == post_result::sent);
    posted sent = h.sent_of<parley::post_message>();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].first.text == "a\nb\nc");
}

TEST_CASE("an error naming a pending message marks it failed; retry sends it again with its nonce") {
    harness h;
    h.connect_ready();
    h.take_sent();
    h.model.post_message("hi", h.now);
    const std::string nonce = h.channel().pending[0].nonce;
    h.take_sent();
    h.server(error_notice{error_code::rate_limited, "slow down", nonce});
    REQUIRE(h.channel().pending.size() == 1);
    CHECK(h.channel().pending[0].status == pending_message::state::failed);
    CHECK(h.channel().pending[0].failure == "slow down");
    REQUIRE_FALSE(h.model.errors().empty());
    CHECK(h.last_error().code == error_code::rate_limited);
    CHECK(h.last_error().ref == nonce);
    CHECK(h.model.retry_message(nonce, h.now));
    posted sent = h.sent_of<parley::post_message>();
    REQUIRE(sent.size() == 1);
    CHECK(*sent[0].second == nonce);
    CHECK(h.channel().pending[0].status == pending_message::state::sent);
}

TEST_CASE("a failed or queued message can be discarded; a sent one cannot") {
    harness h;
    h.connect_ready();
    h.model.post_message("sent", h.now);
    CHECK_FALSE(h.model.discard_message(h.channel().pending[0].nonce));
    h.drop();
    h.model.post_message("queued", h.now);
    const std::string nonce = h.channel().pending[1].nonce;
    CHECK(h.model.discard_message(nonce));
    REQUIRE(h.channel().pending.size() == 1);
    CHECK(h.channel().pending[0].text == "sent");
}

TEST_CASE("server errors are listed for the UI, the oldest dropped beyond the bound") {
    harness h;
    h.connect_ready();
    for (int i = 0; i < 60; ++i) h.server(error_notice{error_code::forbidden, "no " + std::to_string(i), std::nullopt});
    CHECK(h.model.errors().size() == 50);
    CHECK(h.model.errors().front().message == "no 10");
    CHECK(h.last_error().message == "no 59");
    h.model.clear_errors();
    CHECK(h.model.errors().empty());
}

TEST_CASE("pending messages are bounded") {
    model_config config = test_model_config();
    config.max_pending_messages = 3;
    harness h(config);
    h.model.start(h.now);
    for (int i = 0; i < 3; ++i) CHECK(h.model.post_message("m", h.now) == post_result::queued);
    CHECK(h.model.post_message("m", h.now) == post_result::queue_full);
    CHECK(h.channel().pending.size() == 3);
}

TEST_CASE("edited and deleted notices are applied to the shown messages") {
    harness h;
    h.connect_ready(msgs(1, 3, "general"));
    h.server(edited_notice{2, "general", "new text", 1'700'000'000'000});
    CHECK(h.channel().messages[1].text == "new text");
    CHECK(h.channel().messages[1].edited_at == 1'700'000'000'000);
    h.server(deleted_notice{1, "general"});
    CHECK(h.ids() == std::vector<message_id>{2, 3});
    h.server(deleted_notice{99, "general"});  // unknown: nothing happens
    CHECK(h.ids() == std::vector<message_id>{2, 3});
}

TEST_CASE("edit and delete requests name the message, and an edit is checked like a post") {
    harness h;
    h.connect_ready(msgs(1, 3, "general", "ann"));
    h.take_sent();
    CHECK(h.model.edit_message(2, "fixed", h.now) == post_result::sent);
    auto edits = h.sent_of<edit_request>();
    REQUIRE(edits.size() == 1);
    CHECK(edits[0].first.id == 2);
    CHECK(edits[0].first.text == "fixed");
    CHECK(edits[0].second.has_value());
    CHECK(h.model.delete_message(3, h.now));
    auto deletes = h.sent_of<delete_request>();
    REQUIRE(deletes.size() == 1);
    CHECK(deletes[0].first.id == 3);
    CHECK(h.model.edit_message(2, std::string(4001, 'x'), h.now) == post_result::too_long);
    h.drop();
    CHECK(h.model.edit_message(2, "later", h.now) == post_result::not_connected);
    CHECK_FALSE(h.model.delete_message(2, h.now));
}
