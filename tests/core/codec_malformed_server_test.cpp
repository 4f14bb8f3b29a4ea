// Malformed, hostile and incomplete frames from a server, as a client decodes them (the
// client side is codec_malformed_test.cpp).
#include "parley/core/codec.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "parley/core/error_code.hpp"
#include "parley/core/limits.hpp"
#include "test_strings.hpp"

using parley::error_code;
using parley::test::nested_arrays;
using parley::test::repeat;
using parley::test::show;

namespace {

/// A hostile or incomplete server frame and the code decoding it must answer.
struct server_row {
    std::string name;
    std::string input;
    error_code expected;
};

std::vector<server_row> server_rows() {
    return {
        {"empty input", "", error_code::invalid_json},
        {"truncated", R"({"type":"heartbeat","authenticated":tr)", error_code::invalid_json},
        {"trailing garbage", R"({"type":"heartbeat","authenticated":true}]})",
         error_code::invalid_json},
        {"lone surrogate", R"({"type":"typing","channel":"a","user":"\ud800"})",
         error_code::invalid_json},
        {"array", "[]", error_code::invalid_message},
        {"no type", R"({"id":"general"})", error_code::invalid_message},
        {"type a number", R"({"type":3})", error_code::invalid_message},
        {"unknown type", R"({"type":"bogus"})", error_code::unknown_type},
        {"client-only type", R"({"type":"join","channel":"general"})", error_code::unknown_type},
        {"connection without session",
         R"({"type":"connection","id":"general","server":"parley/1.0","heartbeat_ms":15000})",
         error_code::invalid_message},
        {"connection heartbeat_ms a string",
         R"({"type":"connection","id":"general","session":"s","server":"parley/1.0","heartbeat_ms":"15000"})",
         error_code::invalid_message},
        {"heartbeat authenticated a string", R"({"type":"heartbeat","authenticated":"yes"})",
         error_code::invalid_message},
        {"identity success a string", R"({"type":"identity","success":"true","user":"ann"})",
         error_code::invalid_message},
        {"identity without success", R"({"type":"identity","user":"ann"})",
         error_code::invalid_message},
        {"message without id",
         R"({"type":"message","channel":"general","user":"ann","text":"hi","timestamp":1})",
         error_code::invalid_message},
        {"message id a string",
         R"({"type":"message","id":"5","channel":"general","user":"ann","text":"hi","timestamp":1})",
         error_code::invalid_message},
        {"message without text",
         R"({"type":"message","id":5,"channel":"general","user":"ann","timestamp":1})",
         error_code::invalid_message},
        {"message without timestamp",
         R"({"type":"message","id":5,"channel":"general","user":"ann","text":"hi"})",
         error_code::invalid_message},
        {"message without user",
         R"({"type":"message","id":5,"channel":"general","text":"hi","timestamp":1})",
         error_code::invalid_message},
        {"joined users not an array", R"({"type":"joined","channel":"general","users":"ann"})",
         error_code::invalid_message},
        {"joined users holding a number", R"({"type":"joined","channel":"general","users":[1]})",
         error_code::invalid_message},
        {"history without messages",
         R"({"type":"history","channel":"general","has_more":false})",
         error_code::invalid_message},
        {"history holding an incomplete message",
         R"({"type":"history","channel":"general","messages":[{"id":1}],"has_more":false})",
         error_code::invalid_message},
        {"history has_more a string",
         R"({"type":"history","channel":"general","messages":[],"has_more":"no"})",
         error_code::invalid_message},
        {"channels without channels", R"({"type":"channels"})", error_code::invalid_message},
        {"channels row without online", R"({"type":"channels","channels":[{"name":"general"}]})",
         error_code::invalid_message},
        {"channels row a string", R"({"type":"channels","channels":["general"]})",
         error_code::invalid_message},
        {"presence with an unknown state",
         R"({"type":"presence","channel":"general","user":"ann","state":"arrived","online":1})",
         error_code::invalid_message},
        {"presence without online",
         R"({"type":"presence","channel":"general","user":"ann","state":"joined"})",
         error_code::invalid_message},
        {"typing without user", R"({"type":"typing","channel":"general"})",
         error_code::invalid_message},
        {"edited without edited_at",
         R"({"type":"edited","id":1,"channel":"general","text":"hi"})",
         error_code::invalid_message},
        {"deleted without id", R"({"type":"deleted","channel":"general"})",
         error_code::invalid_message},
        {"left without channel", R"({"type":"left","reason":"kicked"})",
         error_code::invalid_message},
        {"error without code", R"({"type":"error","message":"slow down"})",
         error_code::invalid_message},
        {"error code a number", R"({"type":"error","code":5,"message":"x"})",
         error_code::invalid_message},

        // ---- byte order mark, value cap, duplicate keys: the same bounds as client frames
        {"byte order mark", "\xEF\xBB\xBF{\"type\":\"heartbeat\"}", error_code::invalid_json},
        {"64 KiB of empty objects in an unknown field",
         R"({"type":"heartbeat","x":[)" + repeat("{},", 21000) + "{}]}", error_code::invalid_json},
        {"too many users", R"({"type":"joined","channel":"a","users":[)" +
                               repeat(R"("u",)", parley::limits::max_json_values) + R"("u"]})",
         error_code::invalid_json},
        {"too many empty objects in history rows",
         R"({"type":"history","channel":"a","has_more":false,"messages":[)" +
             repeat("{},", parley::limits::max_json_values) + "{}]}",
         error_code::invalid_json},
        {"nesting too deep inside a history row",
         R"({"type":"history","channel":"a","has_more":false,"messages":[{"x":)" +
             nested_arrays(14) + "}]}",
         error_code::invalid_json},
        {"type twice", R"({"type":"heartbeat","type":"channels"})", error_code::invalid_message},
        {"an unknown key twice", R"({"type":"heartbeat","x":1,"x":2})", error_code::invalid_message},
        {"has_more twice", R"({"type":"history","channel":"a","messages":[],"has_more":true,"has_more":false})",
         error_code::invalid_message},
        {"a known key twice in a history row",
         R"({"type":"history","channel":"a","has_more":false,"messages":[{"id":1,"channel":"a","user":"u","text":"t","timestamp":1,"id":2}]})",
         error_code::invalid_message},
        {"a known key twice in a channels row",
         R"({"type":"channels","channels":[{"name":"a","online":1,"name":"b"}]})",
         error_code::invalid_message},

        // ---- the additions of docs/protocol.md
        {"channels has_more a string", R"({"type":"channels","channels":[],"has_more":"yes"})",
         error_code::invalid_message},
        {"joined online a string", R"({"type":"joined","channel":"a","users":[],"online":"5"})",
         error_code::invalid_message},
        {"joined online negative", R"({"type":"joined","channel":"a","users":[],"online":-1})",
         error_code::invalid_message},
        {"joined online a float", R"({"type":"joined","channel":"a","users":[],"online":1.5})",
         error_code::invalid_message},
        {"online without online", R"({"type":"online","channel":"a"})", error_code::invalid_message},
        {"online without channel", R"({"type":"online","online":3})", error_code::invalid_message},
        {"online negative", R"({"type":"online","channel":"a","online":-3})",
         error_code::invalid_message},
        {"online a string", R"({"type":"online","channel":"a","online":"3"})",
         error_code::invalid_message},
        {"message text a number",
         R"({"type":"message","id":5,"channel":"general","user":"ann","text":7,"timestamp":1})",
         error_code::invalid_message},
    };
}

}  // namespace

TEST_CASE("decode_server_message refuses malformed and incomplete server frames") {
    for (const auto& row : server_rows()) {
        CAPTURE(row.name);
        const auto decoded = parley::decode_server_message(row.input);
        CHECK_FALSE(decoded.ok());
        if (decoded.ok()) continue;
        CHECK(std::string(parley::to_string(decoded.error().code)) ==
              std::string(parley::to_string(row.expected)));
    }
}

TEST_CASE("decode_server_message survives 100,000 nested arrays") {
    CHECK_FALSE(parley::decode_server_message(nested_arrays(100000)).ok());
    CHECK_FALSE(parley::decode_server_message(
                    R"({"type":"joined","channel":"general","users":)" + nested_arrays(100000) +
                    "}")
                    .ok());
}

TEST_CASE("an error code this client does not know yet reads as server_error") {
    // Forward compatibility: a newer server's code still reaches the user as an error.
    const auto decoded =
        parley::decode_server_message(R"({"type":"error","code":"bogus","message":"x","ref":"k1"})");
    REQUIRE(decoded.ok());
    const auto* notice = std::get_if<parley::error_notice>(&decoded.value());
    REQUIRE(notice != nullptr);
    CHECK(notice->code == error_code::server_error);
    CHECK(notice->message == "x");
    CHECK(show(notice->ref) == show(std::string("k1")));
}
