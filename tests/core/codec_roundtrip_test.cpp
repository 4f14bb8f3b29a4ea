#include "parley/core/codec.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <variant>
#include <vector>

#include "message_equality.hpp"
#include "parley/core/limits.hpp"
#include "test_strings.hpp"

using parley::test::emoji;
using parley::test::equal;
using parley::test::repeat;

namespace {

constexpr parley::message_id max_id = parley::limits::max_message_id;

// Text that exercises escaping: quotes, backslash, slash, newline, tab, non-ASCII.
const std::string tricky_text =
    "say \"hi\" \\ / \n\tcaf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 <b>&amp;</b> {\"type\":\"x\"}";

std::vector<parley::client_frame> client_frames() {
    using namespace parley;
    const std::string long_nonce = repeat(emoji, limits::max_nonce_code_points);
    return {
        {identity_request{.user = "fishing_beast_5000"}, std::nullopt},
        {identity_request{.user = "Ann.Lee-2"}, "n1"},
        {post_message{.channel = std::nullopt, .text = "hi"}, std::nullopt},
        {post_message{.channel = "fishing", .text = "morning is best"}, "k1"},
        {post_message{.channel = "general", .text = tricky_text}, long_nonce},
        {post_message{.channel = std::nullopt,
                      .text = repeat(emoji, limits::max_text_code_points)},
         std::nullopt},
        {join_request{.channel = "random", .since = std::nullopt}, std::nullopt},
        {join_request{.channel = "random", .since = 1000}, "j"},
        {join_request{.channel = "a", .since = 0}, std::nullopt},
        {join_request{.channel = repeat("c", limits::max_channel_name_bytes), .since = max_id},
         std::nullopt},
        {leave_request{.channel = "random"}, std::nullopt},
        {leave_request{.channel = "a-b_c"}, "bye"},
        {channels_request{}, std::nullopt},
        {channels_request{}, "c"},
        {channels_request{.after = "fishing", .limit = 100}, std::nullopt},
        {channels_request{.after = std::nullopt, .limit = 1}, "c2"},
        {channels_request{.after = repeat("c", limits::max_channel_name_bytes),
                          .limit = limits::max_channels_limit},
         std::nullopt},
        {history_request{}, std::nullopt},
        {history_request{.channel = "random", .before = 1001, .after = std::nullopt, .limit = 50},
         std::nullopt},
        {history_request{.channel = "a", .before = std::nullopt, .after = 0, .limit = 200}, "h"},
        {history_request{.channel = std::nullopt, .before = max_id, .after = std::nullopt,
                         .limit = 1},
         std::nullopt},
        {history_request{.channel = "a", .before = std::nullopt, .after = max_id, .limit = 7},
         std::nullopt},
        {typing_request{.channel = std::nullopt}, std::nullopt},
        {typing_request{.channel = "fishing"}, std::nullopt},
        {heartbeat_reply{}, std::nullopt},
        {heartbeat_reply{}, "hb"},
        {edit_request{.id = 1042, .text = "evening is best"}, std::nullopt},
        {edit_request{.id = max_id, .text = tricky_text}, "e1"},
        {delete_request{.id = 1042}, std::nullopt},
        {delete_request{.id = 1}, "d1"},
        {kick_request{.channel = "fishing", .user = "ann"}, std::nullopt},
        {kick_request{.channel = "general", .user = repeat("N", limits::max_user_name_bytes)},
         "kk"},
        {ban_request{.user = "bob", .minutes = 60}, std::nullopt},
        {ban_request{.user = "a.b", .minutes = limits::max_ban_minutes}, "b"},
        {ban_request{.user = "c_d", .minutes = 1}, std::nullopt},
    };
}

parley::chat_message sample_message(parley::message_id id) {
    return parley::chat_message{.id = id,
                                .channel = "fishing",
                                .user = "fishing_beast_5000",
                                .text = "morning is best",
                                .timestamp = 1652997756123,
                                .nonce = std::nullopt,
                                .edited_at = std::nullopt};
}

std::vector<parley::server_message> server_messages() {
    using namespace parley;
    chat_message echoed = sample_message(1042);
    echoed.nonce = "k1";
    chat_message edited = sample_message(max_id);
    edited.text = tricky_text;
    edited.edited_at = 1652997799000;
    chat_message zero_time = sample_message(1);
    zero_time.timestamp = 0;
    // The echo of a resend whose message was deleted since: the text is never sent again.
    chat_message resent_deleted = sample_message(7);
    resent_deleted.text.clear();
    resent_deleted.nonce = "k9";

    std::vector<server_message> out = {
        connection_info{.id = "fishing",
                        .session = "c7f3a9",
                        .server = "parley/1.0",
                        .heartbeat_ms = 15000,
                        .user = std::nullopt,
                        .role = std::nullopt},
        connection_info{.id = "general",
                        .session = "s",
                        .server = "parley/1.0",
                        .heartbeat_ms = 250,
                        .user = "ann",
                        .role = "admin"},
        heartbeat_notice{.authenticated = true},
        heartbeat_notice{.authenticated = false},
        identity_result{.success = true, .user = "fishing_beast_5000", .reason = std::nullopt},
        identity_result{.success = false, .user = std::nullopt, .reason = "taken"},
        identity_result{.success = false, .user = std::nullopt, .reason = "already_identified"},
        sample_message(5),
        echoed,
        edited,
        zero_time,
        resent_deleted,
        joined_notice{.channel = "random", .users = {"ann", "bob"}},
        joined_notice{.channel = "empty", .users = {}},
        joined_notice{.channel = "big", .users = {"ann", "bob"}, .online = 5000},
        joined_notice{.channel = "big", .users = {}, .online = 0},
        history_page{.channel = "random", .messages = {sample_message(1), echoed, edited},
                     .has_more = false},
        history_page{.channel = "random", .messages = {}, .has_more = true},
        history_page{.channel = "random", .messages = {resent_deleted}, .has_more = false},
        channel_list{.channels = {{.name = "general", .online = 12}, {.name = "random", .online = 0}}},
        channel_list{.channels = {}},
        channel_list{.channels = {{.name = "a", .online = 1}}, .has_more = true},
        online_notice{.channel = "big", .online = 1234},
        online_notice{.channel = "empty", .online = 0},
        presence_notice{.channel = "fishing", .user = "ann",
                        .state = presence_notice::change::joined, .online = 13},
        presence_notice{.channel = "fishing", .user = "ann",
                        .state = presence_notice::change::left, .online = 12},
        typing_notice{.channel = "fishing", .user = "ann"},
        edited_notice{.id = 1042, .channel = "fishing", .text = "evening is best",
                      .edited_at = 1652997799000},
        edited_notice{.id = max_id, .channel = "a", .text = tricky_text, .edited_at = 0},
        deleted_notice{.id = 1042, .channel = "fishing"},
        left_notice{.channel = "random", .reason = std::nullopt},
        left_notice{.channel = "random", .reason = "kicked"},
    };
    for (const error_code code : all_error_codes) {
        out.push_back(error_notice{.code = code, .message = "slow down", .ref = std::nullopt});
        out.push_back(error_notice{.code = code, .message = tricky_text, .ref = "k1"});
    }
    return out;
}

}  // namespace

TEST_CASE("every client message type survives encode then decode unchanged") {
    std::set<std::size_t> types_seen;
    for (const auto& frame : client_frames()) {
        const std::string wire = parley::encode(frame);
        CAPTURE(wire);
        const auto decoded = parley::decode_client_frame(wire);
        REQUIRE(decoded.ok());
        CHECK(equal(decoded.value(), frame));
        // The encoding is stable: a decoded frame encodes to the same bytes.
        CHECK(parley::encode(decoded.value()) == wire);
        types_seen.insert(frame.message.index());
    }
    CHECK(types_seen.size() == std::variant_size_v<parley::client_message>);
}

TEST_CASE("every server message type survives encode then decode unchanged") {
    std::set<std::size_t> types_seen;
    for (const auto& message : server_messages()) {
        const std::string wire = parley::encode(message);
        CAPTURE(wire);
        const auto decoded = parley::decode_server_message(wire);
        REQUIRE(decoded.ok());
        CHECK(equal(decoded.value(), message));
        CHECK(parley::encode(decoded.value()) == wire);
        types_seen.insert(message.index());
    }
    CHECK(types_seen.size() == std::variant_size_v<parley::server_message>);
}

TEST_CASE("the round-trip comparison notices a changed field, alternative or nonce") {
    // Guards the helper itself: were it always true, the round trips would prove nothing.
    using namespace parley;
    const client_frame a{history_request{.channel = "a", .before = 5, .after = std::nullopt,
                                         .limit = 10},
                         "n"};
    client_frame b = a;
    CHECK(equal(a, b));
    std::get<history_request>(b.message).limit = 11;
    CHECK_FALSE(equal(a, b));
    b = a;
    b.nonce = std::nullopt;
    CHECK_FALSE(equal(a, b));
    b = a;
    b.message = typing_request{.channel = "a"};
    CHECK_FALSE(equal(a, b));

    const server_message m = presence_notice{.channel = "c", .user = "u",
                                             .state = presence_notice::change::joined, .online = 1};
    server_message n = m;
    CHECK(equal(m, n));
    std::get<presence_notice>(n).state = presence_notice::change::left;
    CHECK_FALSE(equal(m, n));
    const server_message p = sample_message(1);
    server_message q = p;
    std::get<chat_message>(q).edited_at = 1;
    CHECK_FALSE(equal(p, q));
}
