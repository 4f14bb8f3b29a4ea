#include "parley/core/codec.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"

using json = nlohmann::json;

namespace {

/// Parses an encoding the codec produced; it must be a JSON object.
json parse_object(const std::string& wire) {
    const json parsed = json::parse(wire, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    REQUIRE(parsed.is_object());
    return parsed;
}

/// Whether `wire` has whitespace outside string literals (compact JSON has none).
bool has_whitespace_outside_strings(std::string_view wire) {
    bool in_string = false;
    bool escaped = false;
    for (const char c : wire) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("heartbeat and channels requests encode to the minimal frame") {
    CHECK(parley::encode(parley::client_frame{parley::heartbeat_reply{}, std::nullopt}) ==
          R"({"type":"heartbeat"})");
    CHECK(parley::encode(parley::client_frame{parley::channels_request{}, std::nullopt}) ==
          R"({"type":"channels"})");
}

TEST_CASE("client frames encode as compact JSON with their type and without absent fields") {
    using namespace parley;
    {
        const std::string wire =
            encode(client_frame{post_message{.channel = std::nullopt, .text = "a b"}, std::nullopt});
        CAPTURE(wire);
        CHECK_FALSE(has_whitespace_outside_strings(wire));
        const json j = parse_object(wire);
        CHECK(j.at("type") == "message");
        CHECK(j.at("text") == "a b");
        CHECK_FALSE(j.contains("channel"));
        CHECK_FALSE(j.contains("nonce"));
    }
    {
        const std::string wire =
            encode(client_frame{post_message{.channel = "fishing", .text = "hi"}, "k1"});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("channel") == "fishing");
        CHECK(j.at("nonce") == "k1");
    }
    {
        const std::string wire = encode(client_frame{
            history_request{.channel = std::nullopt, .before = 1001, .after = std::nullopt,
                            .limit = 20},
            std::nullopt});
        CAPTURE(wire);
        CHECK_FALSE(has_whitespace_outside_strings(wire));
        const json j = parse_object(wire);
        CHECK(j.at("type") == "history");
        CHECK(j.at("before").is_number_integer());
        CHECK(j.at("before") == 1001);
        CHECK(j.at("limit") == 20);
        CHECK_FALSE(j.contains("after"));
        CHECK_FALSE(j.contains("channel"));
    }
    {
        const std::string wire =
            encode(client_frame{join_request{.channel = "random", .since = std::nullopt},
                                std::nullopt});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("channel") == "random");
        CHECK_FALSE(j.contains("since"));
    }
    {
        const std::string wire =
            encode(client_frame{edit_request{.id = limits::max_message_id, .text = "x"}, "e"});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("type") == "edit");
        CHECK(j.at("id").is_number_integer());
        CHECK(j.at("id").get<std::int64_t>() == limits::max_message_id);
    }
    {
        const std::string wire =
            encode(client_frame{ban_request{.user = "bob", .minutes = 60}, std::nullopt});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("type") == "ban");
        CHECK(j.at("user") == "bob");
        CHECK(j.at("minutes") == 60);
    }
}

TEST_CASE("server messages encode as compact JSON with their type and without absent fields") {
    using namespace parley;
    {
        const std::string wire = encode(server_message{chat_message{.id = 1042,
                                                                    .channel = "fishing",
                                                                    .user = "ann",
                                                                    .text = "morning is best",
                                                                    .timestamp = 1652997756123,
                                                                    .nonce = std::nullopt,
                                                                    .edited_at = std::nullopt}});
        CAPTURE(wire);
        CHECK_FALSE(has_whitespace_outside_strings(wire));
        const json j = parse_object(wire);
        CHECK(j.at("type") == "message");
        CHECK(j.at("id") == 1042);
        CHECK(j.at("timestamp").is_number_integer());
        CHECK(j.at("timestamp").get<std::int64_t>() == 1652997756123);
        CHECK_FALSE(j.contains("nonce"));
        CHECK_FALSE(j.contains("edited_at"));
    }
    {
        const std::string wire = encode(server_message{
            connection_info{.id = "fishing", .session = "c7f3", .server = "parley/1.0",
                            .heartbeat_ms = 15000, .user = std::nullopt, .role = std::nullopt}});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("type") == "connection");
        CHECK(j.at("id") == "fishing");
        CHECK(j.at("heartbeat_ms") == 15000);
        CHECK_FALSE(j.contains("user"));
        CHECK_FALSE(j.contains("role"));
    }
    {
        const std::string wire = encode(server_message{heartbeat_notice{.authenticated = true}});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("type") == "heartbeat");
        CHECK(j.at("authenticated") == true);
    }
    {
        const std::string wire = encode(
            server_message{identity_result{.success = false, .user = std::nullopt, .reason = "taken"}});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("success") == false);
        CHECK(j.at("reason") == "taken");
        CHECK_FALSE(j.contains("user"));
    }
    {
        const std::string wire = encode(server_message{presence_notice{
            .channel = "fishing", .user = "ann", .state = presence_notice::change::left,
            .online = 12}});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("type") == "presence");
        CHECK(j.at("state") == "left");
        CHECK(j.at("online") == 12);
    }
    {
        const std::string wire = encode(server_message{
            error_notice{.code = error_code::rate_limited, .message = "slow down", .ref = "k1"}});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("type") == "error");
        CHECK(j.at("code") == "rate_limited");
        CHECK(j.at("message") == "slow down");
        CHECK(j.at("ref") == "k1");
    }
    {
        const std::string wire = encode(server_message{
            error_notice{.code = error_code::invalid_json, .message = "bad", .ref = std::nullopt}});
        CAPTURE(wire);
        CHECK_FALSE(parse_object(wire).contains("ref"));
    }
    {
        const std::string wire =
            encode(server_message{left_notice{.channel = "random", .reason = std::nullopt}});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("type") == "left");
        CHECK_FALSE(j.contains("reason"));
    }
    {
        const std::string wire = encode(server_message{history_page{
            .channel = "random", .messages = {}, .has_more = false}});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("messages").is_array());
        CHECK(j.at("messages").empty());
        CHECK(j.at("has_more") == false);
    }
    {
        const std::string wire = encode(server_message{
            channel_list{.channels = {{.name = "general", .online = 12}}}});
        CAPTURE(wire);
        const json j = parse_object(wire);
        CHECK(j.at("channels").at(0).at("name") == "general");
        CHECK(j.at("channels").at(0).at("online") == 12);
    }
}

TEST_CASE("type_name gives each message's wire type") {
    using namespace parley;
    CHECK(type_name(client_message{identity_request{}}) == "identity");
    CHECK(type_name(client_message{post_message{}}) == "message");
    CHECK(type_name(client_message{join_request{}}) == "join");
    CHECK(type_name(client_message{leave_request{}}) == "leave");
    CHECK(type_name(client_message{channels_request{}}) == "channels");
    CHECK(type_name(client_message{history_request{}}) == "history");
    CHECK(type_name(client_message{typing_request{}}) == "typing");
    CHECK(type_name(client_message{heartbeat_reply{}}) == "heartbeat");
    CHECK(type_name(client_message{edit_request{}}) == "edit");
    CHECK(type_name(client_message{delete_request{}}) == "delete");
    CHECK(type_name(client_message{kick_request{}}) == "kick");
    CHECK(type_name(client_message{ban_request{}}) == "ban");

    CHECK(type_name(server_message{connection_info{}}) == "connection");
    CHECK(type_name(server_message{heartbeat_notice{}}) == "heartbeat");
    CHECK(type_name(server_message{identity_result{}}) == "identity");
    CHECK(type_name(server_message{chat_message{}}) == "message");
    CHECK(type_name(server_message{joined_notice{}}) == "joined");
    CHECK(type_name(server_message{history_page{}}) == "history");
    CHECK(type_name(server_message{channel_list{}}) == "channels");
    CHECK(type_name(server_message{presence_notice{}}) == "presence");
    CHECK(type_name(server_message{typing_notice{}}) == "typing");
    CHECK(type_name(server_message{edited_notice{}}) == "edited");
    CHECK(type_name(server_message{deleted_notice{}}) == "deleted");
    CHECK(type_name(server_message{left_notice{}}) == "left");
    CHECK(type_name(server_message{error_notice{}}) == "error");
}

TEST_CASE("encoding invalid UTF-8 does not throw and still yields valid JSON") {
    // Core runs without exception catching in WebAssembly: a throw there is an abort.
    using namespace parley;
    const std::string bad = "a\xC0\xAF\xED\xA0\x80z";
    std::string wire;
    CHECK_NOTHROW(wire = encode(server_message{typing_notice{.channel = "a", .user = bad}}));
    CAPTURE(wire);
    CHECK(is_valid_utf8(wire));
    CHECK(parse_object(wire).at("type") == "typing");
    CHECK_NOTHROW(wire = encode(client_frame{post_message{.channel = std::nullopt, .text = bad},
                                             bad}));
    CHECK(is_valid_utf8(wire));
    CHECK(parse_object(wire).at("type") == "message");
}
