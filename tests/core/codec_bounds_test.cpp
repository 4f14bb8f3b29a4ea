// The work bounds of decoding (issue 11, "Bounded parsing work"): a value cap, unknown
// fields skipped while parsing, duplicate keys and a byte order mark refused. The same
// bounds hold for client frames and server frames.
#include "parley/core/codec.hpp"

#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "parley/core/limits.hpp"
#include "test_strings.hpp"

using parley::error_code;
using parley::test::nested_arrays;
using parley::test::repeat;

namespace {

constexpr std::size_t cap = parley::limits::max_json_values;

/// A heartbeat whose unknown field `x` holds `elements` zeros: elements + 3 values in all
/// (the object, "heartbeat", the array).
std::string heartbeat_with_zeros(std::size_t elements) {
    return R"({"type":"heartbeat","x":[)" + repeat("0,", elements - 1) + "0]}";
}

}  // namespace

TEST_CASE("a frame of max_json_values values decodes and one more value is invalid_json") {
    CHECK(parley::decode_client_frame(heartbeat_with_zeros(cap - 3)).ok());
    CHECK(parley::decode_server_message(heartbeat_with_zeros(cap - 3)).ok());

    for (const auto& decoded : {parley::decode_client_frame(heartbeat_with_zeros(cap - 2)).error(),
                                parley::decode_server_message(heartbeat_with_zeros(cap - 2)).error()}) {
        CHECK(decoded.code == error_code::invalid_json);
        CHECK(decoded.message == "frame holds more than " + std::to_string(cap) + " JSON values");
    }
}

TEST_CASE("the value cap counts values at every depth, inside ignored fields too") {
    // 4 values per repetition ([ {} "" 1): nested containers are no way around the count.
    const std::string piece = R"([{},"",1],)";
    const std::string frame = R"({"type":"heartbeat","x":[)" + repeat(piece, cap / 4) + "0]}";
    CHECK(parley::decode_client_frame(frame).error().code == error_code::invalid_json);
    CHECK(parley::decode_server_message(frame).error().code == error_code::invalid_json);
}

TEST_CASE("the largest frames Parley sends stay under the value cap") {
    // A full history page: 200 messages with every field (8 values each).
    std::string rows;
    for (int i = 1; i <= parley::limits::max_history_limit; ++i) {
        if (i > 1) rows += ',';
        rows += R"({"id":)" + std::to_string(i) +
                R"(,"channel":"general","user":"ann","text":"hi","timestamp":1,"edited_at":2,"nonce":"k"})";
    }
    const auto page = parley::decode_server_message(R"({"type":"history","channel":"general","messages":[)" +
                                                     rows + R"(],"has_more":true})");
    REQUIRE(page.ok());
    CHECK(std::get<parley::history_page>(page.value()).messages.size() == 200);
    // A channels page at its largest limit.
    std::string channels;
    for (int i = 0; i < parley::limits::max_channels_limit; ++i)
        channels += std::string(i ? "," : "") + R"({"name":"c)" + std::to_string(i) + R"(","online":3})";
    const auto list = parley::decode_server_message(R"({"type":"channels","channels":[)" + channels +
                                                     R"(],"has_more":true})");
    REQUIRE(list.ok());
    CHECK(std::get<parley::channel_list>(list.value()).channels.size() == 200);
}

TEST_CASE("the nesting limit still holds, in ignored fields and in rows alike") {
    const auto depth = static_cast<std::size_t>(parley::limits::max_json_depth);
    // The object plus depth - 1 arrays is exactly the limit; one more level is refused.
    CHECK(parley::decode_client_frame(R"({"type":"heartbeat","x":)" + nested_arrays(depth - 1) + "}").ok());
    const auto deep = parley::decode_client_frame(R"({"type":"heartbeat","x":)" + nested_arrays(depth) + "}");
    REQUIRE_FALSE(deep.ok());
    CHECK(deep.error().code == error_code::invalid_json);
    CHECK(deep.error().message == "JSON nested too deeply");
    // In a history row: object, array, row object, then arrays.
    const std::string row_prefix = R"({"type":"history","channel":"a","has_more":false,"messages":[{"x":)";
    CHECK(parley::decode_server_message(row_prefix + nested_arrays(depth - 4) +
                                        R"(,"id":1,"channel":"a","user":"u","text":"t","timestamp":1}]})")
              .ok());
    CHECK(parley::decode_server_message(row_prefix + nested_arrays(depth - 2) + "}]}").error().code ==
          error_code::invalid_json);
}

TEST_CASE("a container where a scalar is expected is refused by its type, whatever it holds") {
    // The parser keeps such a container empty; the decoder still sees an array or object.
    const auto text_array = parley::decode_client_frame(R"({"type":"message","text":[)" +
                                                        repeat(R"("hi",)", 100) + R"("hi"]})");
    REQUIRE_FALSE(text_array.ok());
    CHECK(text_array.error().code == error_code::invalid_message);
    CHECK(text_array.error().message == "'text' must be a string");
    const auto channel_object =
        parley::decode_client_frame(R"({"type":"join","channel":{"name":"a","more":[1,2,{"b":3}]}})");
    REQUIRE_FALSE(channel_object.ok());
    CHECK(channel_object.error().message == "'channel' must be a string");
    const auto users_object =
        parley::decode_server_message(R"({"type":"joined","channel":"a","users":{"ann":true}})");
    REQUIRE_FALSE(users_object.ok());
    CHECK(users_object.error().message == "'users' must be an array");
    const auto user_array =
        parley::decode_server_message(R"({"type":"joined","channel":"a","users":["ann",["bob"]]})");
    REQUIRE_FALSE(user_array.ok());
    CHECK(user_array.error().message == "'users' must hold strings");
}

TEST_CASE("unknown fields are skipped in history and channels rows too") {
    const auto page = parley::decode_server_message(
        R"({"type":"history","channel":"a","has_more":false,"messages":[)"
        R"({"id":1,"x":{"deep":[1,2,3]},"channel":"a","user":"u","text":"t","timestamp":1,"reactions":[]}]})");
    REQUIRE(page.ok());
    const auto& messages = std::get<parley::history_page>(page.value()).messages;
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].text == "t");
    const auto list = parley::decode_server_message(
        R"({"type":"channels","channels":[{"name":"a","topic":"fish","online":2}]})");
    REQUIRE(list.ok());
    CHECK(std::get<parley::channel_list>(list.value()).channels.at(0).online == 2);
}

TEST_CASE("a duplicate key is named in the error, a hostile one is not echoed") {
    const auto type = parley::decode_client_frame(R"({"type":"heartbeat","type":"channels"})");
    REQUIRE_FALSE(type.ok());
    CHECK(type.error().code == error_code::invalid_message);
    CHECK(type.error().message == "duplicate key 'type'");
    const auto server = parley::decode_server_message(R"({"type":"heartbeat","type":"channels"})");
    REQUIRE_FALSE(server.ok());
    CHECK(server.error().message == "duplicate key 'type'");
    const std::string long_key = repeat("k", 40);
    const auto hostile = parley::decode_client_frame(R"({"type":"heartbeat",")" + long_key + R"(":1,")" +
                                                     long_key + R"(":2})");
    REQUIRE_FALSE(hostile.ok());
    CHECK(hostile.error().message == "duplicate key");
}

TEST_CASE("keys repeated inside an ignored field are not looked at") {
    // Only the fields a decoder reads are kept; what an ignored value holds is syntax only.
    CHECK(parley::decode_client_frame(R"({"type":"heartbeat","x":{"a":1,"a":2}})").ok());
    CHECK(parley::decode_server_message(R"({"type":"heartbeat","x":[{"a":1,"a":2}]})").ok());
}

TEST_CASE("a byte order mark inside a string is text, only a leading one is refused") {
    const auto decoded = parley::decode_client_frame("{\"type\":\"message\",\"text\":\"\xEF\xBB\xBFhi\"}");
    REQUIRE(decoded.ok());
    CHECK(std::get<parley::post_message>(decoded.value().message).text == "\xEF\xBB\xBFhi");
    const auto bom = parley::decode_client_frame("\xEF\xBB\xBF{\"type\":\"heartbeat\"}");
    REQUIRE_FALSE(bom.ok());
    CHECK(bom.error().code == error_code::invalid_json);
    CHECK(bom.error().message == "frame starts with a byte order mark");
}
