#include "parley/core/codec.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parley/core/error_code.hpp"
#include "parley/core/limits.hpp"
#include "test_strings.hpp"

using namespace std::string_literals;
using parley::error_code;
using parley::test::emoji;
using parley::test::emoji_escaped;
using parley::test::nested_arrays;
using parley::test::repeat;
using parley::test::show;

namespace {

/// One hostile input and what decoding it must answer. `ref` is the expected `ref` of the
/// error: the frame's nonce when it had a valid one, else none.
struct malformed_row {
    std::string name;
    std::string input;
    error_code expected;
    std::optional<std::string> ref = std::nullopt;
};

std::string message_with_text(std::string_view text_json_body) {
    return R"({"type":"message","text":")" + std::string(text_json_body) + R"("})";
}

/// `count` distinct unknown members, each followed by a comma: "k0":0,"k1":0,...
std::string many_unknown_keys(std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) out += "\"k" + std::to_string(i) + "\":0,";
    return out;
}

std::string with_channel(std::string_view type, std::string_view channel_json) {
    return R"({"type":")" + std::string(type) + R"(","channel":)" + std::string(channel_json) +
           "}";
}

// Built at run time: several rows are tens of kilobytes.
std::vector<malformed_row> client_rows() {
    const auto over = parley::limits::max_text_code_points + 1;
    const auto nonce_over = parley::limits::max_nonce_code_points + 1;
    const std::string name_33 = repeat("n", parley::limits::max_user_name_bytes + 1);
    const std::string channel_33 = repeat("c", parley::limits::max_channel_name_bytes + 1);
    const std::string id_2_53 = "9007199254740992";
    const std::string ban_over = std::to_string(parley::limits::max_ban_minutes + 1);

    return {
        // ---- not JSON at all: truncated, garbage around it, bad literals
        {"empty input", "", error_code::invalid_json},
        {"whitespace only", " \n\t ", error_code::invalid_json},
        {"lone brace", "{", error_code::invalid_json},
        {"truncated after value", R"({"type":"heartbeat")", error_code::invalid_json},
        {"truncated inside key", R"({"type":"mess)", error_code::invalid_json},
        {"truncated with nonce: no ref without a parse",
         R"({"type":"message","text":"hi","nonce":"k1")", error_code::invalid_json},
        {"unterminated string", R"({"type":"heartbeat})", error_code::invalid_json},
        {"trailing garbage", R"({"type":"heartbeat"} x)", error_code::invalid_json},
        {"two objects in one frame", R"({"type":"heartbeat"}{"type":"heartbeat"})",
         error_code::invalid_json},
        {"trailing comma", R"({"type":"heartbeat",})", error_code::invalid_json},
        {"single quotes", R"({'type':'heartbeat'})", error_code::invalid_json},
        {"unquoted key", R"({type:"heartbeat"})", error_code::invalid_json},
        {"comment after object", R"({"type":"heartbeat"} // hi)", error_code::invalid_json},
        {"NaN literal", R"({"type":"history","limit":NaN})", error_code::invalid_json},
        {"Infinity literal", R"({"type":"history","limit":Infinity})", error_code::invalid_json},
        {"leading zero", R"({"type":"delete","id":01})", error_code::invalid_json},
        {"bad escape \\x", R"({"type":"message","text":"\x41"})", error_code::invalid_json},
        {"10,000 unclosed arrays", repeat("[", 10000), error_code::invalid_json},

        // ---- NUL bytes raw in the text
        {"NUL after the object", "{\"type\":\"heartbeat\"}\0"s, error_code::invalid_json},
        {"NUL before the object", "\0{\"type\":\"heartbeat\"}"s, error_code::invalid_json},
        {"NUL raw inside a string", "{\"type\":\"message\",\"text\":\"a\0b\"}"s,
         error_code::invalid_json},
        {"raw tab inside a string", "{\"type\":\"message\",\"text\":\"a\tb\"}",
         error_code::invalid_json},

        // ---- invalid UTF-8 inside strings
        {"overlong C0 AF in text", message_with_text("\xC0\xAF"), error_code::invalid_json},
        {"overlong E0 80 AF in text", message_with_text("\xE0\x80\xAF"),
         error_code::invalid_json},
        {"raw surrogate ED A0 80 in text", message_with_text("\xED\xA0\x80"),
         error_code::invalid_json},
        {"above U+10FFFF in text", message_with_text("\xF4\x90\x80\x80"),
         error_code::invalid_json},
        {"truncated sequence in text", message_with_text("a\xE2\x82"), error_code::invalid_json},
        {"stray continuation byte in text", message_with_text("a\x80z"),
         error_code::invalid_json},
        {"byte FF in an unknown field's key", "{\"type\":\"heartbeat\",\"x\xFF\":1}",
         error_code::invalid_json},
        {"invalid UTF-8 in the nonce", "{\"type\":\"heartbeat\",\"nonce\":\"\xC3\"}",
         error_code::invalid_json},

        // ---- lone or misordered surrogates in \u escapes
        {"lone high surrogate escape", message_with_text("\\ud800"), error_code::invalid_json},
        {"lone low surrogate escape", message_with_text("\\udc00"), error_code::invalid_json},
        {"high surrogate then a letter", message_with_text("\\ud800\\u0041"),
         error_code::invalid_json},
        {"reversed surrogate pair", message_with_text("\\ude00\\ud83d"),
         error_code::invalid_json},
        {"lone surrogate in the nonce", R"({"type":"heartbeat","nonce":"\udbff"})",
         error_code::invalid_json},

        // ---- numbers that overflow a double
        {"1e400 as an edit id", R"({"type":"edit","id":1e400,"text":"hi"})",
         error_code::invalid_json},
        {"-1e400 as a history limit", R"({"type":"history","limit":-1e400})",
         error_code::invalid_json},
        {"1e400 in an unknown field", R"({"type":"heartbeat","x":1e400})",
         error_code::invalid_json},
        {"1e400 as ban minutes", R"({"type":"ban","user":"ann","minutes":1e400})",
         error_code::invalid_json},

        // ---- deep nesting: refused, and must not crash
        {"10,000 nested arrays", nested_arrays(10000), error_code::invalid_json},
        {"10,000 nested objects in an unknown field",
         R"({"type":"message","text":"hi","x":)" + repeat(R"({"a":)", 10000) + "1" +
             repeat("}", 10000) + "}",
         error_code::invalid_json},
        {"18 levels of nesting in an unknown field",
         R"({"type":"heartbeat","x":)" + nested_arrays(17) + "}", error_code::invalid_json},

        // ---- a leading byte order mark (RFC 8259 8.1: senders must not add one)
        {"byte order mark before the object", "\xEF\xBB\xBF{\"type\":\"heartbeat\"}",
         error_code::invalid_json},
        {"byte order mark after whitespace", " \xEF\xBB\xBF{\"type\":\"heartbeat\"}",
         error_code::invalid_json},
        {"half a byte order mark", "\xEF\xBB{\"type\":\"heartbeat\"}", error_code::invalid_json},
        {"byte order mark alone", "\xEF\xBB\xBF", error_code::invalid_json},

        // ---- more JSON values than any frame needs (limits::max_json_values)
        {"64 KiB of empty objects in an unknown field",
         R"({"type":"heartbeat","x":[)" + repeat("{},", 21000) + "{}]}", error_code::invalid_json},
        {"too many values in a known field",
         R"({"type":"message","text":"hi","nonce":[)" +
             repeat("0,", parley::limits::max_json_values) + "0]}",
         error_code::invalid_json},
        {"too many values spread over unknown keys",
         "{" + many_unknown_keys(parley::limits::max_json_values) + R"("type":"heartbeat"})",
         error_code::invalid_json},

        // ---- duplicate keys: refused, whichever key, the JSON being valid
        {"type twice", R"({"type":"heartbeat","type":"channels"})", error_code::invalid_message},
        {"type twice with the same value", R"({"type":"heartbeat","type":"heartbeat"})",
         error_code::invalid_message},
        {"type twice, the nonce is the ref", R"({"type":"heartbeat","nonce":"k6","type":"channels"})",
         error_code::invalid_message, "k6"},
        {"nonce twice: no ref", R"({"type":"heartbeat","nonce":"a","nonce":"b"})",
         error_code::invalid_message},
        {"text twice", R"({"type":"message","text":"hi","text":"bye"})", error_code::invalid_message},
        {"channel twice", R"({"type":"join","channel":"a","channel":"b"})",
         error_code::invalid_message},
        {"an unknown key twice", R"({"type":"heartbeat","x":1,"x":[2]})", error_code::invalid_message},
        {"an unknown key twice, far apart",
         R"({"x":1,)" + many_unknown_keys(2000) + R"("type":"heartbeat","x":2})",
         error_code::invalid_message},
        {"a key twice spelled with an escape", R"({"type":"heartbeat","t\u0079pe":"channels"})",
         error_code::invalid_message},
        {"a key twice but the JSON broken later", R"({"type":"heartbeat","type":"x",)",
         error_code::invalid_json},

        // ---- JSON, but not an object with a string `type`
        {"array", "[]", error_code::invalid_message},
        {"array holding a frame", R"([{"type":"heartbeat"}])", error_code::invalid_message},
        {"bare string", R"("heartbeat")", error_code::invalid_message},
        {"bare number", "42", error_code::invalid_message},
        {"null", "null", error_code::invalid_message},
        {"true", "true", error_code::invalid_message},
        {"empty object", "{}", error_code::invalid_message},
        {"misspelled type key", R"({"typ":"heartbeat"})", error_code::invalid_message},
        {"type is a number", R"({"type":1})", error_code::invalid_message},
        {"type is null", R"({"type":null})", error_code::invalid_message},
        {"type is a boolean", R"({"type":true})", error_code::invalid_message},
        {"type is an array", R"({"type":["heartbeat"]})", error_code::invalid_message},
        {"type is an object", R"({"type":{"name":"heartbeat"}})", error_code::invalid_message},

        // ---- unknown types
        {"unknown type", R"({"type":"hello"})", error_code::unknown_type},
        {"empty type", R"({"type":""})", error_code::unknown_type},
        {"type in wrong case", R"({"type":"Message"})", error_code::unknown_type},
        {"type in upper case", R"({"type":"HEARTBEAT"})", error_code::unknown_type},
        {"type with trailing space", R"({"type":"heartbeat "})", error_code::unknown_type},
        {"type with escaped NUL", R"({"type":"heartbeat\u0000"})", error_code::unknown_type},
        {"server-only type from a client", R"({"type":"connection"})", error_code::unknown_type},
        {"server-only type joined", R"({"type":"joined","channel":"general"})",
         error_code::unknown_type},

        // ---- nonce
        {"empty nonce", R"({"type":"heartbeat","nonce":""})", error_code::invalid_message},
        {"nonce of 65 ASCII characters",
         R"({"type":"heartbeat","nonce":")" + repeat("n", nonce_over) + R"("})",
         error_code::invalid_message},
        {"nonce of 65 emoji",
         R"({"type":"heartbeat","nonce":")" + repeat(emoji, nonce_over) + R"("})",
         error_code::invalid_message},
        {"nonce is a number", R"({"type":"message","text":"hi","nonce":7})",
         error_code::invalid_message},
        {"nonce is null", R"({"type":"message","text":"hi","nonce":null})",
         error_code::invalid_message},
        {"nonce is an array", R"({"type":"message","text":"hi","nonce":["k1"]})",
         error_code::invalid_message},

        // ---- identity
        {"identity without user", R"({"type":"identity"})", error_code::invalid_message},
        {"identity user is a number", R"({"type":"identity","user":5})",
         error_code::invalid_message},
        {"identity user is null", R"({"type":"identity","user":null})",
         error_code::invalid_message},
        {"identity user is an array", R"({"type":"identity","user":["ann"]})",
         error_code::invalid_message},

        // ---- message text
        {"message without text", R"({"type":"message"})", error_code::invalid_message},
        {"text is a number", R"({"type":"message","text":42})", error_code::invalid_message},
        {"text is null", R"({"type":"message","text":null})", error_code::invalid_message},
        {"text is an object", R"({"type":"message","text":{"t":"hi"}})",
         error_code::invalid_message},
        {"empty text", message_with_text(""), error_code::invalid_message},
        {"text of spaces", message_with_text("   "), error_code::invalid_message},
        {"text of newlines and tabs", message_with_text("\\n\\t\\n"),
         error_code::invalid_message},
        {"text is an escaped NUL", message_with_text("\\u0000"), error_code::invalid_message},
        {"text with escaped NUL inside", message_with_text("a\\u0000b"),
         error_code::invalid_message},
        {"text with a bell", message_with_text("a\\u0007b"), error_code::invalid_message},
        {"text with a terminal escape", message_with_text("\\u001b[2J"),
         error_code::invalid_message},
        {"text with a carriage return", message_with_text("a\\rb"),
         error_code::invalid_message},
        {"4001 emoji", message_with_text(repeat(emoji, over)), error_code::too_long},
        {"4001 ASCII characters", message_with_text(repeat("a", over)), error_code::too_long},
        {"4001 emoji as surrogate-pair escapes", message_with_text(repeat(emoji_escaped, over)),
         error_code::too_long},

        // ---- channel fields
        {"message channel is a number", R"({"type":"message","channel":5,"text":"hi"})",
         error_code::invalid_message},
        {"message channel is null", R"({"type":"message","channel":null,"text":"hi"})",
         error_code::invalid_message},
        {"message channel in upper case", R"({"type":"message","channel":"General","text":"hi"})",
         error_code::no_such_channel},
        {"message channel with a dot", R"({"type":"message","channel":"a.b","text":"hi"})",
         error_code::no_such_channel},
        {"message channel with a slash", R"({"type":"message","channel":"a/b","text":"hi"})",
         error_code::no_such_channel},
        {"message channel empty", R"({"type":"message","channel":"","text":"hi"})",
         error_code::no_such_channel},
        {"message channel of 33 characters",
         R"({"type":"message","channel":")" + channel_33 + R"(","text":"hi"})",
         error_code::no_such_channel},
        {"message channel starting with a dash",
         R"({"type":"message","channel":"-fish","text":"hi"})", error_code::no_such_channel},
        {"message channel starting with an underscore",
         R"({"type":"message","channel":"_fish","text":"hi"})", error_code::no_such_channel},
        {"message channel with a space", R"({"type":"message","channel":" general","text":"hi"})",
         error_code::no_such_channel},
        {"message channel with unicode",
         R"({"type":"message","channel":"caf\u00e9","text":"hi"})", error_code::no_such_channel},
        {"message channel with escaped NUL",
         R"({"type":"message","channel":"general\u0000","text":"hi"})",
         error_code::no_such_channel},
        {"message to reserved api", R"({"type":"message","channel":"api","text":"hi"})",
         error_code::no_such_channel},
        {"join without channel", R"({"type":"join"})", error_code::invalid_message},
        {"join channel is a number", with_channel("join", "7"), error_code::invalid_message},
        {"join channel in mixed case", with_channel("join", R"("Random")"),
         error_code::no_such_channel},
        {"join reserved healthz", with_channel("join", R"("healthz")"),
         error_code::no_such_channel},
        {"join reserved metrics", with_channel("join", R"("metrics")"),
         error_code::no_such_channel},
        {"join reserved readyz", with_channel("join", R"("readyz")"),
         error_code::no_such_channel},
        {"leave without channel", R"({"type":"leave"})", error_code::invalid_message},
        {"leave channel is an array", with_channel("leave", R"(["general"])"),
         error_code::invalid_message},
        {"leave channel with a space", with_channel("leave", R"("a b")"),
         error_code::no_such_channel},
        {"history channel in upper case", with_channel("history", R"("HISTORY")"),
         error_code::no_such_channel},
        {"history channel reserved", with_channel("history", R"("api")"),
         error_code::no_such_channel},
        {"typing channel with a dot", with_channel("typing", R"("a.b")"),
         error_code::no_such_channel},
        {"typing channel is a boolean", with_channel("typing", "true"),
         error_code::invalid_message},

        // ---- channels paging (docs/protocol.md)
        {"channels after a number", R"({"type":"channels","after":5})", error_code::invalid_message},
        {"channels after null", R"({"type":"channels","after":null})", error_code::invalid_message},
        {"channels after empty", R"({"type":"channels","after":""})", error_code::invalid_message},
        {"channels after in upper case", R"({"type":"channels","after":"Fish"})",
         error_code::invalid_message},
        {"channels after of 33 characters", R"({"type":"channels","after":")" + channel_33 + R"("})",
         error_code::invalid_message},
        {"channels after reserved", R"({"type":"channels","after":"api"})", error_code::invalid_message},
        {"channels after an array", R"({"type":"channels","after":["a"]})", error_code::invalid_message},
        {"channels limit a string", R"({"type":"channels","limit":"10"})", error_code::invalid_message},
        {"channels limit null", R"({"type":"channels","limit":null})", error_code::invalid_message},
        {"channels limit a boolean", R"({"type":"channels","limit":false})", error_code::invalid_message},
        {"channels bad after with nonce", R"({"type":"channels","after":"A","nonce":"k7"})",
         error_code::invalid_message, "k7"},

        // ---- ids: since / before / after
        {"join since negative", R"({"type":"join","channel":"general","since":-1})",
         error_code::invalid_message},
        {"join since a float", R"({"type":"join","channel":"general","since":1.5})",
         error_code::invalid_message},
        {"join since a string", R"({"type":"join","channel":"general","since":"10"})",
         error_code::invalid_message},
        {"join since a boolean", R"({"type":"join","channel":"general","since":true})",
         error_code::invalid_message},
        {"join since 2^53", R"({"type":"join","channel":"general","since":)" + id_2_53 + "}",
         error_code::invalid_message},
        {"join since 2^64-1",
         R"({"type":"join","channel":"general","since":18446744073709551615})",
         error_code::invalid_message},
        {"join since beyond 64 bits",
         R"({"type":"join","channel":"general","since":123456789012345678901234567890})",
         error_code::invalid_message},
        {"history before 0", R"({"type":"history","before":0})", error_code::invalid_message},
        {"history before negative", R"({"type":"history","before":-5})",
         error_code::invalid_message},
        {"history before a string", R"({"type":"history","before":"10"})",
         error_code::invalid_message},
        {"history before 2^53", R"({"type":"history","before":)" + id_2_53 + "}",
         error_code::invalid_message},
        {"history after negative", R"({"type":"history","after":-1})",
         error_code::invalid_message},
        {"history after a float", R"({"type":"history","after":1.5})",
         error_code::invalid_message},
        {"history after null", R"({"type":"history","after":null})",
         error_code::invalid_message},
        {"history before with after", R"({"type":"history","before":10,"after":5})",
         error_code::invalid_message},

        // ---- history limit: numbers clamp, anything else is refused
        {"history limit a string", R"({"type":"history","limit":"50"})",
         error_code::invalid_message},
        {"history limit null", R"({"type":"history","limit":null})",
         error_code::invalid_message},
        {"history limit a boolean", R"({"type":"history","limit":true})",
         error_code::invalid_message},
        {"history limit an array", R"({"type":"history","limit":[50]})",
         error_code::invalid_message},

        // ---- edit and delete
        {"edit without id", R"({"type":"edit","text":"hi"})", error_code::invalid_message},
        {"edit id 0", R"({"type":"edit","id":0,"text":"hi"})", error_code::invalid_message},
        {"edit id negative", R"({"type":"edit","id":-1,"text":"hi"})",
         error_code::invalid_message},
        {"edit id a float", R"({"type":"edit","id":1.5,"text":"hi"})",
         error_code::invalid_message},
        {"edit id a string", R"({"type":"edit","id":"1042","text":"hi"})",
         error_code::invalid_message},
        {"edit id a boolean", R"({"type":"edit","id":true,"text":"hi"})",
         error_code::invalid_message},
        {"edit id null", R"({"type":"edit","id":null,"text":"hi"})",
         error_code::invalid_message},
        {"edit id 2^53", R"({"type":"edit","id":)" + id_2_53 + R"(,"text":"hi"})",
         error_code::invalid_message},
        {"edit without text", R"({"type":"edit","id":1})", error_code::invalid_message},
        {"edit text empty", R"({"type":"edit","id":1,"text":""})", error_code::invalid_message},
        {"edit text an escaped NUL", R"({"type":"edit","id":1,"text":"\u0000"})",
         error_code::invalid_message},
        {"edit text of 4001 emoji",
         R"({"type":"edit","id":1,"text":")" + repeat(emoji, over) + R"("})",
         error_code::too_long},
        {"delete without id", R"({"type":"delete"})", error_code::invalid_message},
        {"delete id 0", R"({"type":"delete","id":0})", error_code::invalid_message},
        {"delete id a string", R"({"type":"delete","id":"1"})", error_code::invalid_message},
        {"delete id 2^53", R"({"type":"delete","id":)" + id_2_53 + "}",
         error_code::invalid_message},
        {"delete id beyond 64 bits", R"({"type":"delete","id":99999999999999999999999})",
         error_code::invalid_message},

        // ---- kick and ban: the codec checks the names here
        {"kick without channel", R"({"type":"kick","user":"ann"})", error_code::invalid_message},
        {"kick without user", R"({"type":"kick","channel":"general"})",
         error_code::invalid_message},
        {"kick user with a space", R"({"type":"kick","channel":"general","user":"a b"})",
         error_code::invalid_message},
        {"kick user empty", R"({"type":"kick","channel":"general","user":""})",
         error_code::invalid_message},
        {"kick user of 33 characters",
         R"({"type":"kick","channel":"general","user":")" + name_33 + R"("})",
         error_code::invalid_message},
        {"kick user with unicode", R"({"type":"kick","channel":"general","user":"zo\u00eb"})",
         error_code::invalid_message},
        {"kick user with escaped NUL",
         R"({"type":"kick","channel":"general","user":"ann\u0000"})",
         error_code::invalid_message},
        {"kick user a number", R"({"type":"kick","channel":"general","user":5})",
         error_code::invalid_message},
        {"kick channel in upper case", R"({"type":"kick","channel":"Fish","user":"ann"})",
         error_code::no_such_channel},
        {"kick channel reserved", R"({"type":"kick","channel":"healthz","user":"ann"})",
         error_code::no_such_channel},
        {"ban without user", R"({"type":"ban","minutes":10})", error_code::invalid_message},
        {"ban user with a space", R"({"type":"ban","user":"bad name","minutes":10})",
         error_code::invalid_message},
        {"ban user of 33 characters",
         R"({"type":"ban","user":")" + name_33 + R"(","minutes":10})",
         error_code::invalid_message},
        {"ban user with unicode", "{\"type\":\"ban\",\"user\":\"\xC3\xBCn\xC3\xAF\",\"minutes\":10}",
         error_code::invalid_message},
        {"ban without minutes", R"({"type":"ban","user":"ann"})", error_code::invalid_message},
        {"ban minutes 0", R"({"type":"ban","user":"ann","minutes":0})",
         error_code::invalid_message},
        {"ban minutes negative", R"({"type":"ban","user":"ann","minutes":-10})",
         error_code::invalid_message},
        {"ban minutes over the limit",
         R"({"type":"ban","user":"ann","minutes":)" + ban_over + "}",
         error_code::invalid_message},
        {"ban minutes a float", R"({"type":"ban","user":"ann","minutes":1.5})",
         error_code::invalid_message},
        {"ban minutes a string", R"({"type":"ban","user":"ann","minutes":"60"})",
         error_code::invalid_message},
        {"ban minutes a boolean", R"({"type":"ban","user":"ann","minutes":true})",
         error_code::invalid_message},

        // ---- a valid nonce is echoed as ref in the error of the same frame
        {"too long with nonce",
         R"({"type":"message","text":")" + repeat("a", over) + R"(","nonce":"k1"})",
         error_code::too_long, "k1"},
        {"bad channel with nonce", R"({"type":"message","channel":"Bad","text":"hi","nonce":"k2"})",
         error_code::no_such_channel, "k2"},
        {"bad edit id with nonce", R"({"nonce":"k3","type":"edit","id":"x","text":"hi"})",
         error_code::invalid_message, "k3"},
        {"blank text with nonce", R"({"type":"message","text":" ","nonce":"k4"})",
         error_code::invalid_message, "k4"},
        {"unknown type with nonce", R"({"type":"hello","nonce":"k5"})", error_code::unknown_type,
         "k5"},
        {"too long with a nonce of 64 emoji",
         R"({"type":"message","text":")" + repeat("a", over) + R"(","nonce":")" +
             repeat(emoji, parley::limits::max_nonce_code_points) + R"("})",
         error_code::too_long, repeat(emoji, parley::limits::max_nonce_code_points)},
        {"invalid nonce gives no ref", R"({"type":"message","text":"hi","nonce":""})",
         error_code::invalid_message},
        {"over-long nonce gives no ref",
         R"({"type":"message","text":"hi","nonce":")" + repeat("n", nonce_over) + R"("})",
         error_code::invalid_message},
    };
}

}  // namespace

TEST_CASE("decode_client_frame answers every malformed or hostile row with its error code") {
    const auto rows = client_rows();
    CHECK(rows.size() >= 40);
    for (const auto& row : rows) {
        CAPTURE(row.name);
        const auto decoded = parley::decode_client_frame(row.input);
        CHECK_FALSE(decoded.ok());
        if (decoded.ok()) continue;
        CHECK(std::string(parley::to_string(decoded.error().code)) ==
              std::string(parley::to_string(row.expected)));
        CHECK(show(decoded.error().ref) == show(row.ref));
    }
}

TEST_CASE("decode_client_frame survives 100,000 nested arrays and objects") {
    // Far past any recursion a naive parser or destructor could take on a small stack
    // (the WebAssembly default is 64 KiB).
    CHECK(parley::decode_client_frame(nested_arrays(100000)).error().code ==
          error_code::invalid_json);
    CHECK(parley::decode_client_frame(repeat(R"({"a":)", 100000) + "1" + repeat("}", 100000))
              .error()
              .code == error_code::invalid_json);
    CHECK(parley::decode_client_frame(repeat("[{\"a\":", 50000)).error().code ==
          error_code::invalid_json);
}

TEST_CASE("a malformed frame's error carries a human-readable message") {
    // The error frame's `message` is for people reading wscat; it must not be empty.
    for (const auto& input : {""s, "[]"s, R"({"type":"hello"})"s,
                                    R"({"type":"message","text":""})"s}) {
        CAPTURE(input);
        const auto decoded = parley::decode_client_frame(input);
        REQUIRE_FALSE(decoded.ok());
        CHECK_FALSE(decoded.error().message.empty());
    }
}
