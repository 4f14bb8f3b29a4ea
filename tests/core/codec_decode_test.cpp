#include "parley/core/codec.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "parley/core/limits.hpp"
#include "test_strings.hpp"

using parley::test::emoji;
using parley::test::emoji_escaped;
using parley::test::nested_arrays;
using parley::test::repeat;
using parley::test::show;

namespace {

/// Decodes `input`, which must be accepted, and returns its message as a `T`.
template <class T>
T decode_as(const std::string& input) {
    const auto decoded = parley::decode_client_frame(input);
    if (!decoded.ok()) {
        const std::string why = "refused with " +
                                std::string(parley::to_string(decoded.error().code)) + ": " +
                                decoded.error().message;
        FAIL_CHECK(why);
        return T{};
    }
    const auto* message = std::get_if<T>(&decoded.value().message);
    if (message == nullptr) {
        const std::string why =
            "decoded as another type: " + std::string(parley::type_name(decoded.value().message));
        FAIL_CHECK(why);
        return T{};
    }
    return *message;
}

std::optional<std::string> text(std::string_view value) { return std::string(value); }

}  // namespace

TEST_CASE("decode_client_frame reads the PROTOCOL.md examples") {
    {
        const auto m = decode_as<parley::identity_request>(
            R"({"type":"identity","user":"fishing_beast_5000"})");
        CHECK(m.user == "fishing_beast_5000");
    }
    {
        const auto decoded = parley::decode_client_frame(
            R"({"type":"message","channel":"fishing","text":"morning is best","nonce":"k1"})");
        REQUIRE(decoded.ok());
        CHECK(show(decoded.value().nonce) == show(text("k1")));
        const auto* m = std::get_if<parley::post_message>(&decoded.value().message);
        REQUIRE(m != nullptr);
        CHECK(show(m->channel) == show(text("fishing")));
        CHECK(m->text == "morning is best");
    }
    {
        const auto m =
            decode_as<parley::join_request>(R"({"type":"join","channel":"random","since":1000})");
        CHECK(m.channel == "random");
        CHECK(m.since == std::optional<parley::message_id>(1000));
    }
    {
        const auto m = decode_as<parley::history_request>(
            R"({"type":"history","channel":"random","before":1001,"limit":50})");
        CHECK(show(m.channel) == show(text("random")));
        CHECK(m.before == std::optional<parley::message_id>(1001));
        CHECK_FALSE(m.after.has_value());
        CHECK(m.limit == 50);
    }
    CHECK(decode_as<parley::leave_request>(R"({"type":"leave","channel":"random"})").channel ==
          "random");
    decode_as<parley::channels_request>(R"({"type":"channels"})");
    CHECK(show(decode_as<parley::typing_request>(R"({"type":"typing","channel":"fishing"})")
                   .channel) == show(text("fishing")));
    decode_as<parley::heartbeat_reply>(R"({"type":"heartbeat"})");
    {
        const auto m =
            decode_as<parley::edit_request>(R"({"type":"edit","id":1042,"text":"evening is best"})");
        CHECK(m.id == 1042);
        CHECK(m.text == "evening is best");
    }
    CHECK(decode_as<parley::delete_request>(R"({"type":"delete","id":1042})").id == 1042);
    {
        const auto m =
            decode_as<parley::kick_request>(R"({"type":"kick","channel":"fishing","user":"ann"})");
        CHECK(m.channel == "fishing");
        CHECK(m.user == "ann");
    }
    {
        const auto m = decode_as<parley::ban_request>(R"({"type":"ban","user":"bob","minutes":60})");
        CHECK(m.user == "bob");
        CHECK(m.minutes == 60);
    }
}

TEST_CASE("an omitted channel decodes as nullopt in message, history and typing") {
    CHECK_FALSE(decode_as<parley::post_message>(R"({"type":"message","text":"hi"})").channel);
    CHECK_FALSE(decode_as<parley::history_request>(R"({"type":"history"})").channel);
    CHECK_FALSE(decode_as<parley::typing_request>(R"({"type":"typing"})").channel);
}

TEST_CASE("a history request without limit, before or after gets the defaults") {
    const auto m = decode_as<parley::history_request>(R"({"type":"history","channel":"a"})");
    CHECK(m.limit == parley::limits::default_history_limit);
    CHECK_FALSE(m.before.has_value());
    CHECK_FALSE(m.after.has_value());
}

TEST_CASE("history limit: any JSON number is clamped to 1..200") {
    struct row {
        const char* limit;
        int expected;
    };
    constexpr row rows[] = {
        {"0", 1},          {"-5", 1},       {"1", 1},         {"2", 2},
        {"50", 50},        {"199", 199},    {"200", 200},     {"201", 200},
        {"1000", 200},     {"1e300", 200},  {"-1e300", 1},    {"2.7", 2},
        {"199.9", 199},    {"0.5", 1},      {"-0", 1},        {"1e2", 100},
        {"18446744073709551615", 200},      {"-9223372036854775808", 1},
        {"123456789012345678901234567890", 200},
    };
    for (const auto& r : rows) {
        CAPTURE(r.limit);
        const auto m = decode_as<parley::history_request>(
            std::string(R"({"type":"history","limit":)") + r.limit + "}");
        CHECK(m.limit == r.expected);
    }
}

TEST_CASE("history pages forwards with after, from 0") {
    const auto m = decode_as<parley::history_request>(R"({"type":"history","after":0})");
    CHECK(m.after == std::optional<parley::message_id>(0));
    CHECK_FALSE(m.before.has_value());
}

TEST_CASE("ids are accepted up to 2^53-1, since and after from 0, id and before from 1") {
    constexpr parley::message_id max = parley::limits::max_message_id;
    const std::string max_text = std::to_string(max);
    CHECK(decode_as<parley::edit_request>(R"({"type":"edit","id":)" + max_text + R"(,"text":"x"})")
              .id == max);
    CHECK(decode_as<parley::delete_request>(R"({"type":"delete","id":)" + max_text + "}").id ==
          max);
    CHECK(decode_as<parley::delete_request>(R"({"type":"delete","id":1})").id == 1);
    CHECK(decode_as<parley::join_request>(R"({"type":"join","channel":"a","since":0})").since ==
          std::optional<parley::message_id>(0));
    CHECK(decode_as<parley::join_request>(R"({"type":"join","channel":"a","since":)" + max_text +
                                          "}")
              .since == std::optional<parley::message_id>(max));
    CHECK(decode_as<parley::history_request>(R"({"type":"history","before":1})").before ==
          std::optional<parley::message_id>(1));
    CHECK(decode_as<parley::history_request>(R"({"type":"history","after":)" + max_text + "}")
              .after == std::optional<parley::message_id>(max));
}

TEST_CASE("text of exactly 4000 code points is accepted, however many bytes it takes") {
    const auto n = parley::limits::max_text_code_points;
    CHECK(decode_as<parley::post_message>(R"({"type":"message","text":")" + repeat("a", n) +
                                          R"("})")
              .text.size() == n);
    const auto four_byte = decode_as<parley::post_message>(
        R"({"type":"message","text":")" + repeat(emoji, n) + R"("})");
    CHECK(four_byte.text == repeat(emoji, n));
    const auto escaped = decode_as<parley::post_message>(
        R"({"type":"message","text":")" + repeat(emoji_escaped, n) + R"("})");
    CHECK(escaped.text == repeat(emoji, n));
    CHECK(decode_as<parley::edit_request>(R"({"type":"edit","id":1,"text":")" + repeat(emoji, n) +
                                          R"("})")
              .text == repeat(emoji, n));
}

TEST_CASE("message text keeps escapes, newlines, tabs and surrounding spaces intact") {
    CHECK(decode_as<parley::post_message>(R"({"type":"message","text":"a\nb\tc"})").text ==
          "a\nb\tc");
    CHECK(decode_as<parley::post_message>(R"({"type":"message","text":"caf\u00e9 \ud83d\ude00"})")
              .text == "caf\xC3\xA9 \xF0\x9F\x98\x80");
    CHECK(decode_as<parley::post_message>(R"({"type":"message","text":"\"q\" \\ \/"})").text ==
          "\"q\" \\ /");
    CHECK(decode_as<parley::post_message>(R"({"type":"message","text":"  hi  "})").text ==
          "  hi  ");
}

TEST_CASE("channel names at the edges of the rule are accepted") {
    const std::string longest = repeat("c", parley::limits::max_channel_name_bytes);
    CHECK(decode_as<parley::join_request>(R"({"type":"join","channel":")" + longest + R"("})")
              .channel == longest);
    CHECK(decode_as<parley::join_request>(R"({"type":"join","channel":"0"})").channel == "0");
    CHECK(decode_as<parley::join_request>(R"({"type":"join","channel":"a-b_c"})").channel ==
          "a-b_c");
    CHECK(decode_as<parley::join_request>(R"({"type":"join","channel":"apis"})").channel ==
          "apis");
}

TEST_CASE("the codec leaves identity names to the server but checks kick and ban names") {
    // The server answers a bad identity name with reason:"invalid", so the codec passes it.
    CHECK(decode_as<parley::identity_request>(R"({"type":"identity","user":"a b"})").user == "a b");
    CHECK(decode_as<parley::identity_request>(R"({"type":"identity","user":""})").user.empty());
    CHECK(decode_as<parley::identity_request>(R"({"type":"identity","user":"zo\u00eb"})").user ==
          "zo\xC3\xAB");
    const std::string longest = repeat("N", parley::limits::max_user_name_bytes);
    CHECK(decode_as<parley::kick_request>(R"({"type":"kick","channel":"a","user":")" + longest +
                                          R"("})")
              .user == longest);
    CHECK(decode_as<parley::ban_request>(R"({"type":"ban","user":"a.b-c_D","minutes":1})").user ==
          "a.b-c_D");
}

TEST_CASE("ban minutes are accepted from 1 to max_ban_minutes") {
    CHECK(decode_as<parley::ban_request>(R"({"type":"ban","user":"ann","minutes":1})").minutes == 1);
    CHECK(decode_as<parley::ban_request>(R"({"type":"ban","user":"ann","minutes":)" +
                                         std::to_string(parley::limits::max_ban_minutes) + "}")
              .minutes == parley::limits::max_ban_minutes);
}

TEST_CASE("any request may carry a nonce of 1 to 64 code points") {
    const std::string longest = repeat(emoji, parley::limits::max_nonce_code_points);
    const std::string inputs[] = {
        R"({"type":"heartbeat","nonce":"x"})",
        R"({"type":"channels","nonce":")" + longest + R"("})",
        R"({"type":"edit","id":3,"text":"hi","nonce":"k1"})",
        R"({"type":"join","channel":"a","nonce":"k1"})",
    };
    const std::optional<std::string> expected[] = {text("x"), longest, text("k1"), text("k1")};
    for (std::size_t i = 0; i < std::size(inputs); ++i) {
        CAPTURE(inputs[i]);
        const auto decoded = parley::decode_client_frame(inputs[i]);
        REQUIRE(decoded.ok());
        CHECK(show(decoded.value().nonce) == show(expected[i]));
    }
    const auto without = parley::decode_client_frame(R"({"type":"heartbeat"})");
    REQUIRE(without.ok());
    CHECK_FALSE(without.value().nonce.has_value());
}

TEST_CASE("unknown fields are ignored, shallow nesting in them included") {
    decode_as<parley::heartbeat_reply>(
        R"({"type":"heartbeat","extra":{"a":[1,2,{"b":null}]},"n":1.5,"s":"x","t":true})");
    // 15 levels in all (the object and 14 arrays): within max_json_depth however it is counted.
    decode_as<parley::heartbeat_reply>(R"({"type":"heartbeat","x":)" + nested_arrays(14) + "}");
    const auto m = decode_as<parley::post_message>(
        R"({"user":"mallory","id":7,"type":"message","text":"hi","timestamp":1})");
    CHECK(m.text == "hi");
}

TEST_CASE("whitespace around and inside the JSON object is allowed") {
    decode_as<parley::heartbeat_reply>(" \r\n\t{ \"type\" : \"heartbeat\" }\n ");
}
