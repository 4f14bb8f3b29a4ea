#include "ws/frame_parser.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ws/frame_writer.hpp"

namespace ws = parley::server::ws;

namespace {

/// One frame as a client would send it; fields let a test break any rule.
struct client_frame {
    std::uint8_t opcode = 0x1;
    std::string payload{};
    bool fin = true;
    std::uint8_t rsv = 0;  ///< shifted into bits 0x70
    bool masked = true;
    /// Length field size: -1 minimal, 0 seven-bit, 2 sixteen-bit, 8 sixty-four-bit.
    int length_bytes = -1;
    /// Length written in the header instead of payload.size() (to send a header alone).
    std::optional<std::uint64_t> declared_length{};
    std::array<std::uint8_t, 4> key{0x37, 0xfa, 0x21, 0x3d};
};

/// The bytes of `f`, masked byte by byte (independently of the parser's word loop).
std::string encode(const client_frame& f) {
    std::string out;
    out.push_back(static_cast<char>((f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0F)));
    const std::uint64_t length = f.declared_length.value_or(f.payload.size());
    int form = f.length_bytes;
    if (form < 0) form = length < 126 ? 0 : length <= 0xFFFF ? 2 : 8;
    const char mask_bit = f.masked ? static_cast<char>(0x80) : 0;
    if (form == 0) {
        out.push_back(static_cast<char>(mask_bit | static_cast<char>(length)));
    } else if (form == 2) {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(length >> 8));
        out.push_back(static_cast<char>(length & 0xFF));
    } else {
        out.push_back(static_cast<char>(mask_bit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((length >> shift) & 0xFF));
    }
    if (f.masked) {
        for (auto b : f.key) out.push_back(static_cast<char>(b));
    }
    for (std::size_t i = 0; i < f.payload.size(); ++i) {
        const auto k = f.masked ? f.key[i % 4] : 0;
        out.push_back(static_cast<char>(static_cast<unsigned char>(f.payload[i]) ^ k));
    }
    return out;
}

std::string text(std::string payload, bool fin = true) {
    return encode({.opcode = 0x1, .payload = std::move(payload), .fin = fin});
}
std::string binary(std::string payload, bool fin = true) {
    return encode({.opcode = 0x2, .payload = std::move(payload), .fin = fin});
}
std::string continuation(std::string payload, bool fin) {
    return encode({.opcode = 0x0, .payload = std::move(payload), .fin = fin});
}
std::string ping(std::string payload) {
    return encode({.opcode = 0x9, .payload = std::move(payload)});
}
std::string pong(std::string payload) {
    return encode({.opcode = 0xA, .payload = std::move(payload)});
}
std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    p.append(reason);
    return p;
}
std::string close(std::uint16_t code, std::string_view reason = {}) {
    return encode({.opcode = 0x8, .payload = close_payload(code, reason)});
}

/// A server frame from the writer turned into the client frame a browser would send.
std::string mask_server_frame(const std::string& frame, std::array<std::uint8_t, 4> key) {
    const auto length7 = static_cast<unsigned char>(frame[1]) & 0x7F;
    const std::size_t header = length7 == 126 ? 4 : length7 == 127 ? 10 : 2;
    std::string out = frame.substr(0, header);
    out[1] = static_cast<char>(out[1] | 0x80);
    for (auto b : key) out.push_back(static_cast<char>(b));
    for (std::size_t i = header; i < frame.size(); ++i)
        out.push_back(static_cast<char>(static_cast<unsigned char>(frame[i]) ^ key[(i - header) % 4]));
    return out;
}

std::string repeat(char c, std::size_t n) {
    return std::string(n, c);
}

struct recorded {
    std::string kind;
    std::uint16_t code = 0;
    std::string payload;
};

/// Records every event; `log()` renders them for readable comparisons.
struct recorder : ws::frame_events {
    std::vector<recorded> events;
    const char* last_data = nullptr;
    ws::frame_parser* stop_after_text = nullptr;

    void on_text(std::string_view p) override {
        last_data = p.data();
        events.push_back({"text", 0, std::string(p)});
        if (stop_after_text != nullptr) stop_after_text->stop();
    }
    void on_binary(std::string_view p) override {
        last_data = p.data();
        events.push_back({"binary", 0, std::string(p)});
    }
    void on_ping(std::string_view p) override {
        last_data = p.data();
        events.push_back({"ping", 0, std::string(p)});
    }
    void on_pong(std::string_view p) override { events.push_back({"pong", 0, std::string(p)}); }
    void on_close(std::uint16_t code, std::string_view reason) override {
        events.push_back({"close", code, std::string(reason)});
    }
    void on_failure(std::uint16_t code) override { events.push_back({"fail", code, {}}); }

    std::string log() const {
        std::string out;
        for (const auto& e : events) {
            if (!out.empty()) out += '|';
            out += e.kind;
            if (e.code != 0) out += ':' + std::to_string(e.code);
            if (e.kind == "fail") continue;
            out += ':';
            if (e.payload.size() <= 200) {
                out += e.payload;
            } else {
                out.append("<").append(std::to_string(e.payload.size())).append(" bytes>");
            }
        }
        return out;
    }
};

/// Feeds a mutable copy of `bytes` in pieces of the given sizes (the rest in one piece).
std::string feed_pieces(ws::frame_parser& parser, const std::string& bytes,
                        const std::vector<std::size_t>& sizes, recorder& rec) {
    std::string copy = bytes;
    std::size_t at = 0;
    for (std::size_t size : sizes) {
        if (at >= copy.size()) break;
        size = std::min(size, copy.size() - at);
        parser.feed(std::span<char>(copy.data() + at, size), rec);
        at += size;
    }
    if (at < copy.size()) parser.feed(std::span<char>(copy.data() + at, copy.size() - at), rec);
    return rec.log();
}

std::string parse_whole(const std::string& bytes, std::size_t max = parley::limits::default_max_frame_bytes) {
    ws::frame_parser parser(max);
    recorder rec;
    return feed_pieces(parser, bytes, {}, rec);
}

std::string parse_bytewise(const std::string& bytes,
                           std::size_t max = parley::limits::default_max_frame_bytes) {
    ws::frame_parser parser(max);
    recorder rec;
    return feed_pieces(parser, bytes, std::vector<std::size_t>(bytes.size(), 1), rec);
}

std::string parse_split(const std::string& bytes, std::size_t at,
                        std::size_t max = parley::limits::default_max_frame_bytes) {
    ws::frame_parser parser(max);
    recorder rec;
    return feed_pieces(parser, bytes, {at}, rec);
}

const std::size_t empty_capacity = std::string().capacity();

/// Frames of every kind, with a fragmented message split inside a UTF-8 sequence and
/// control frames between its fragments.
std::string mixed_frames() {
    return text("hello") + binary(repeat('\x01', 300)) + text("h\xC3\xA9llo w\xC3", false) + ping("p1") +
           continuation("\xB6rld", false) + pong("") + continuation("!", true) + text("") +
           binary(std::string("\x00\xFF\x7F\x80", 4)) + ping(repeat('p', 125)) + text(repeat('x', 126));
}

/// mixed_frames(), a close, and bytes after the close that must be ignored.
std::string mixed_input() {
    return mixed_frames() + close(1000, "bye") + text("ignored");
}

/// What mixed_input() must produce.
std::string mixed_events() {
    return "text:hello|binary:<300 bytes>|ping:p1|pong:|text:h\xC3\xA9llo w\xC3\xB6rld!|text:|binary:" +
           std::string("\x00\xFF\x7F\x80", 4) + "|ping:" + repeat('p', 125) + "|text:" + repeat('x', 126) +
           "|close:1000:bye";
}

}  // namespace

TEST_CASE("parser delivers a text frame as a view into the fed bytes") {
    std::string bytes = text("hello");
    ws::frame_parser parser;
    recorder rec;
    parser.feed(bytes, rec);
    CHECK(rec.log() == "text:hello");
    CHECK(rec.last_data >= bytes.data());
    CHECK(rec.last_data < bytes.data() + bytes.size());
    CHECK(parser.buffered_bytes() == 0);
    CHECK(parser.buffer_capacity() == empty_capacity);
    CHECK(parser.is_open());
}

TEST_CASE("parser delivers binary, ping, pong and close frames") {
    CHECK(parse_whole(binary(std::string("\x00\x01", 2))) == std::string("binary:\x00\x01", 9));
    CHECK(parse_whole(ping("are you there")) == "ping:are you there");
    CHECK(parse_whole(pong("yes")) == "pong:yes");
    CHECK(parse_whole(close(1000, "bye")) == "close:1000:bye");
    CHECK(parse_whole(close(4000, "")) == "close:4000:");
}

TEST_CASE("parser reports a close frame without a body as 1005") {
    CHECK(parse_whole(encode({.opcode = 0x8})) == "close:1005:");
}

TEST_CASE("parser ignores everything after a close frame") {
    ws::frame_parser parser;
    recorder rec;
    std::string bytes = close(1001) + text("after");
    parser.feed(bytes, rec);
    std::string more = text("later");
    parser.feed(more, rec);
    CHECK(rec.log() == "close:1001:");
    CHECK_FALSE(parser.is_open());
    CHECK_FALSE(parser.failed());
}

TEST_CASE("parser accepts every valid close code") {
    for (std::uint16_t code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
        CAPTURE(code);
        CHECK(parse_whole(close(code, "r")) == "close:" + std::to_string(code) + ":r");
    }
}

TEST_CASE("parser delivers empty frames at once, even at the end of the fed bytes") {
    ws::frame_parser parser;
    recorder rec;
    std::string bytes = text("");
    CHECK(bytes.size() == 6);
    parser.feed(bytes, rec);
    CHECK(rec.log() == "text:");
    std::string ping_bytes = ping("");
    parser.feed(ping_bytes, rec);
    CHECK(rec.log() == "text:|ping:");
}

TEST_CASE("parser reads 7-bit, 16-bit and 64-bit lengths") {
    for (std::size_t size : {0, 1, 125, 126, 127, 65535, 65536, 100000}) {
        CAPTURE(size);
        const std::string payload = repeat('a', size);
        ws::frame_parser parser(200000);
        recorder rec;
        std::string bytes = binary(payload);
        parser.feed(bytes, rec);
        REQUIRE(rec.events.size() == 1);
        CHECK(rec.events[0].kind == "binary");
        CHECK(rec.events[0].payload == payload);
    }
}

TEST_CASE("parser accepts a length written in a longer form than needed") {
    CHECK(parse_whole(encode({.payload = "abc", .length_bytes = 2})) == "text:abc");
    CHECK(parse_whole(encode({.payload = "abc", .length_bytes = 8})) == "text:abc");
}

TEST_CASE("parser unmasks every payload length at every key phase") {
    std::mt19937 random(1234);
    for (std::size_t size = 0; size <= 70; ++size) {
        std::string payload(size, '\0');
        for (auto& c : payload) c = static_cast<char>(random());
        const std::string bytes =
            encode({.opcode = 0x2, .payload = payload, .key = {0x01, 0x23, 0x45, 0x67}});
        const std::string expected = "binary:" + payload;
        CAPTURE(size);
        CHECK(parse_whole(bytes) == expected);
        for (std::size_t at = 0; at <= bytes.size(); ++at) {
            CAPTURE(at);
            CHECK(parse_split(bytes, at) == expected);
        }
    }
}

TEST_CASE("parser reassembles fragmented text with a ping in between") {
    const std::string bytes =
        text("Hel", false) + ping("hb") + continuation("lo", false) + continuation("", true);
    CHECK(parse_whole(bytes) == "ping:hb|text:Hello");
    CHECK(parse_bytewise(bytes) == "ping:hb|text:Hello");
}

TEST_CASE("parser validates UTF-8 of the reassembled text, not of each fragment") {
    // U+00E9 split between fragments is valid once joined.
    CHECK(parse_whole(text("caf\xC3", false) + continuation("\xA9", true)) == "text:caf\xC3\xA9");
    // Each fragment valid, the join is not: a lead byte then ASCII.
    CHECK(parse_whole(text("a\xC3", false) + continuation("b", true)) == "fail:1007");
}

TEST_CASE("parser fails with 1007 on invalid UTF-8 in a text message") {
    for (const std::string bad : {"\xFF", "\xC0\xAF", "\xE2\x82", "\xED\xA0\x80", "ok\x80"}) {
        CAPTURE(bad);
        CHECK(parse_whole(text(bad)) == "fail:1007");
        CHECK(parse_bytewise(text(bad)) == "fail:1007");
    }
}

TEST_CASE("parser passes binary messages through without UTF-8 checks") {
    CHECK(parse_whole(binary("\xFF\xC0")) == "binary:\xFF\xC0");
}

TEST_CASE("parser fails with 1007 on a close reason that is not UTF-8") {
    CHECK(parse_whole(close(1000, "\xC3")) == "fail:1007");
}

TEST_CASE("parser fails with 1002 on protocol violations") {
    struct bad_input {
        const char* what;
        std::string bytes;
    };
    std::vector<bad_input> cases = {
        {"unmasked frame", encode({.payload = "hi", .masked = false})},
        {"RSV1", encode({.payload = "hi", .rsv = 4})},
        {"RSV2", encode({.payload = "hi", .rsv = 2})},
        {"RSV3", encode({.payload = "hi", .rsv = 1})},
        {"fragmented ping", encode({.opcode = 0x9, .payload = "p", .fin = false})},
        {"fragmented pong", encode({.opcode = 0xA, .payload = "p", .fin = false})},
        {"fragmented close", encode({.opcode = 0x8, .payload = close_payload(1000, ""), .fin = false})},
        {"ping of 126 bytes", ping(repeat('p', 126))},
        {"close of 126 bytes", encode({.opcode = 0x8, .payload = close_payload(1000, repeat('r', 124))})},
        {"continuation without a message", continuation("x", true)},
        {"unfinished continuation without a message", continuation("x", false)},
        {"text while a message is open", text("a", false) + text("b")},
        {"binary while a message is open", text("a", false) + binary("b")},
        {"text while a binary message is open", binary("a", false) + text("b", false)},
        {"close of one byte", encode({.opcode = 0x8, .payload = "\x03"})},
        {"64-bit length with the top bit set",
         encode({.opcode = 0x2, .declared_length = 0x8000000000000000ULL})},
    };
    for (int op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
        cases.push_back(
            {"reserved opcode", encode({.opcode = static_cast<std::uint8_t>(op), .payload = "x"})});
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
        cases.push_back({"invalid close code", close(static_cast<std::uint16_t>(code))});

    for (const auto& c : cases) {
        CAPTURE(c.what);
        CAPTURE(c.bytes.size());
        CHECK(parse_whole(c.bytes) == "fail:1002");
        CHECK(parse_bytewise(c.bytes) == "fail:1002");
    }
}

TEST_CASE("parser fails on the first two header bytes without waiting for the rest") {
    ws::frame_parser parser;
    recorder rec;
    std::string bytes = encode({.payload = repeat('a', 300), .masked = false}).substr(0, 2);
    parser.feed(bytes, rec);
    CHECK(rec.log() == "fail:1002");
}

TEST_CASE("parser accepts a message of exactly 64 KiB and fails one byte over with 1009") {
    constexpr std::size_t limit = 64 * 1024;
    CHECK(parley::limits::default_max_frame_bytes == limit);
    const std::string at_limit = repeat('a', limit);
    CHECK(parse_whole(text(at_limit)) == "text:<65536 bytes>");
    CHECK(parse_whole(text(at_limit + "a")) == "fail:1009");
}

TEST_CASE("parser decides 1009 from the header before any payload arrives") {
    ws::frame_parser parser;
    recorder rec;
    std::string header = encode({.opcode = 0x2, .declared_length = 64 * 1024 + 1});
    parser.feed(header, rec);
    CHECK(rec.log() == "fail:1009");
    CHECK(parser.buffer_capacity() == empty_capacity);
}

TEST_CASE("parser counts all fragments of a message toward the limit") {
    const std::string half = repeat('a', 32 * 1024);
    CHECK(parse_whole(text(half, false) + ping("x") + continuation(half, true)) ==
          "ping:x|text:<65536 bytes>");
    CHECK(parse_whole(text(half, false) + continuation(half + "a", true)) == "fail:1009");
    CHECK(parse_whole(text(half, false) + continuation(half, false) + continuation("a", true)) ==
          "fail:1009");
}

TEST_CASE("parser honours a configured limit") {
    CHECK(parse_whole(text("12345"), 5) == "text:12345");
    CHECK(parse_whole(text("123456"), 5) == "fail:1009");
    // Control frames are not messages: a limit below 125 does not apply to them.
    CHECK(parse_whole(ping("123456"), 5) == "ping:123456");
}

TEST_CASE("parser reports a failure once and then ignores all input") {
    ws::frame_parser parser;
    recorder rec;
    std::string bytes = text("ok") + encode({.payload = "x", .masked = false}) + text("never");
    parser.feed(bytes, rec);
    std::string more = text("later");
    parser.feed(more, rec);
    CHECK(rec.log() == "text:ok|fail:1002");
    CHECK(parser.failed());
    CHECK_FALSE(parser.is_open());
}

TEST_CASE("parser stops when the session calls stop from a callback") {
    ws::frame_parser parser;
    recorder rec;
    rec.stop_after_text = &parser;
    std::string bytes = text("first") + text("second");
    parser.feed(bytes, rec);
    CHECK(rec.log() == "text:first");
    CHECK_FALSE(parser.is_open());
    CHECK_FALSE(parser.failed());
}

TEST_CASE("parser gives the same events for a mixed input fed whole, byte by byte or split anywhere") {
    const std::string bytes = mixed_input();
    const std::string expected = mixed_events();
    CHECK(parse_whole(bytes) == expected);
    CHECK(parse_bytewise(bytes) == expected);
    for (std::size_t at = 0; at <= bytes.size(); ++at) {
        CAPTURE(at);
        CHECK(parse_split(bytes, at) == expected);
    }
}

TEST_CASE("parser gives the same events for random chunks of a long input") {
    const std::string long_text = repeat('z', 70000);
    const std::string bytes = mixed_frames() + text(long_text) + binary("a", false) +
                              continuation(repeat('b', 40000), false) + ping("mid") +
                              continuation("c", true) + close(1000, "bye");
    const std::size_t limit = 128 * 1024;
    const std::string expected = parse_whole(bytes, limit);
    CHECK(expected.find("text:<70000 bytes>|ping:mid|binary:<40002 bytes>|close:1000:bye") !=
          std::string::npos);
    CHECK(parse_bytewise(bytes, limit) == expected);

    std::mt19937 random(20240601);
    for (int round = 0; round < 50; ++round) {
        std::uniform_int_distribution<std::size_t> size(1, round < 25 ? 16 : 5000);
        std::vector<std::size_t> sizes;
        for (std::size_t total = 0; total < bytes.size();) {
            sizes.push_back(size(random));
            total += sizes.back();
        }
        ws::frame_parser parser(limit);
        recorder rec;
        CAPTURE(round);
        CHECK(feed_pieces(parser, bytes, sizes, rec) == expected);
        CHECK(parser.buffer_capacity() == empty_capacity);
    }
}

TEST_CASE("parser holds no buffer while idle and releases it after a large message") {
    ws::frame_parser parser;
    recorder rec;
    std::string bytes = text(repeat('m', 60000));

    // A split header lives in the parser itself, not in the buffer.
    parser.feed(std::span<char>(bytes.data(), 3), rec);
    CHECK(parser.buffered_bytes() == 0);
    CHECK(parser.buffer_capacity() == empty_capacity);

    for (std::size_t at = 3; at < bytes.size(); at += 1000) {
        parser.feed(std::span<char>(bytes.data() + at, std::min<std::size_t>(1000, bytes.size() - at)), rec);
        if (at + 1000 < bytes.size()) CHECK(parser.buffered_bytes() > 0);
    }
    CHECK(rec.log() == "text:<60000 bytes>");
    CHECK(parser.buffered_bytes() == 0);
    CHECK(parser.buffer_capacity() == empty_capacity);
}

TEST_CASE("parser keeps only the open message when a split ping sits between fragments") {
    ws::frame_parser parser;
    recorder rec;
    std::string first = text(repeat('a', 100), false);
    parser.feed(first, rec);
    CHECK(parser.buffered_bytes() == 100);

    std::string ping_bytes = ping(repeat('p', 50));
    parser.feed(std::span<char>(ping_bytes.data(), 20), rec);
    CHECK(parser.buffered_bytes() > 100);
    parser.feed(std::span<char>(ping_bytes.data() + 20, ping_bytes.size() - 20), rec);
    CHECK(rec.log() == "ping:" + repeat('p', 50));
    CHECK(parser.buffered_bytes() == 100);

    std::string last = continuation("b", true);
    parser.feed(last, rec);
    CHECK(rec.events.back().payload == repeat('a', 100) + "b");
    CHECK(parser.buffer_capacity() == empty_capacity);
}

TEST_CASE("parser releases its buffer on a failure in the middle of a message") {
    ws::frame_parser parser;
    recorder rec;
    std::string bytes = text(repeat('a', 1000), false) + text("b");
    parser.feed(bytes, rec);
    CHECK(rec.log() == "fail:1002");
    CHECK(parser.buffer_capacity() == empty_capacity);
}

TEST_CASE("parser is small enough to live in every connection") {
    CHECK(sizeof(ws::frame_parser) <= 96);
}

TEST_CASE("frames from the writer, masked like a client, parse back to the same messages") {
    const std::array<std::uint8_t, 4> key{0xde, 0xad, 0xbe, 0xef};
    for (std::size_t size : {0, 1, 7, 8, 9, 125, 126, 127, 65535, 65536, 100000}) {
        CAPTURE(size);
        std::string payload(size, '\0');
        for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
        ws::frame_parser parser(200000);
        recorder rec;
        std::string bytes = mask_server_frame(ws::make_text_frame(payload), key);
        parser.feed(bytes, rec);
        REQUIRE(rec.events.size() == 1);
        CHECK(rec.events[0].kind == "text");
        CHECK(rec.events[0].payload == payload);
    }

    std::string batch;
    for (const auto& frame :
         {ws::make_ping_frame("hb"), ws::make_pong_frame("hb"), ws::make_text_frame("h\xC3\xA9"),
          ws::make_close_frame(ws::close_code::going_away, "bye")})
        batch += mask_server_frame(frame, key);
    CHECK(parse_whole(batch) == "ping:hb|pong:hb|text:h\xC3\xA9|close:1001:bye");
    CHECK(parse_bytewise(batch) == "ping:hb|pong:hb|text:h\xC3\xA9|close:1001:bye");
    CHECK(parse_whole(mask_server_frame(ws::make_close_frame(ws::close_code::no_status), key)) ==
          "close:1005:");
}

namespace {

/// A text payload and where UTF-8 validation must fail: the index of the first byte no
/// valid UTF-8 could continue with, `at_end` when only the message's end shows it
/// (a truncated sequence), `valid` when it is UTF-8.
struct utf8_case {
    const char* name;
    std::string payload;
    std::size_t fail_at;
};
constexpr std::size_t valid = static_cast<std::size_t>(-1);
constexpr std::size_t at_end = static_cast<std::size_t>(-2);

// RFC 3629 section 4 (the syntax of UTF-8) and RFC 6455 section 8.1 (fail at once).
std::vector<utf8_case> utf8_cases() {
    return {
        {"empty", "", valid},
        {"ASCII", "hello, world", valid},
        {"U+0080, the first two-byte", "\xC2\x80", valid},
        {"U+07FF, the last two-byte", "\xDF\xBF", valid},
        {"U+0800, the first three-byte", "\xE0\xA0\x80", valid},
        {"U+D7FF, below the surrogates", "\xED\x9F\xBF", valid},
        {"U+E000, above the surrogates", "\xEE\x80\x80", valid},
        {"U+FFFF", "\xEF\xBF\xBF", valid},
        {"U+10000, the first four-byte", "\xF0\x90\x80\x80", valid},
        {"U+10FFFF, the last code point", "\xF4\x8F\xBF\xBF", valid},
        {"mixed", "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z", valid},
        {"stray continuation byte", "ab\x80", 2},
        {"continuation BF first", "\xBF", 0},
        {"overlong C0 80 (NUL)", "\xC0\x80", 0},
        {"overlong C1 BF", "x\xC1\xBF", 1},
        {"overlong E0 80 80", "\xE0\x80\x80", 1},
        {"overlong E0 9F BF", "\xE0\x9F\xBF", 1},
        {"overlong F0 8F BF BF", "\xF0\x8F\xBF\xBF", 1},
        {"surrogate ED A0 80 (U+D800)", "\xED\xA0\x80", 1},
        {"surrogate ED BF BF (U+DFFF)", "ok\xED\xBF\xBF", 3},
        {"above U+10FFFF: F4 90 80 80", "\xF4\x90\x80\x80", 1},
        {"above U+10FFFF: F5", "\xF5\x80\x80\x80", 0},
        {"byte FE", "\xFE", 0},
        {"byte FF", "abc\xFF", 3},
        {"lead byte then ASCII", "\xC3" "a", 1},
        {"three-byte cut by ASCII", "\xE2\x82" "a", 2},
        {"four-byte cut by a new lead", "\xF0\x9F\x98\xF0\x9F\x98\x80", 3},
        {"truncated two-byte at the end", "ab\xC3", at_end},
        {"truncated three-byte at the end", "\xE2\x82", at_end},
        {"truncated four-byte at the end", "\xF0\x9F\x98", at_end},
        {"a lone E0 at the end", "\xE0", at_end},
    };
}

/// What parsing the case's message must give.
std::string expected_events(const utf8_case& c) {
    return c.fail_at == valid ? "text:" + c.payload : "fail:1007";
}

}  // namespace

TEST_CASE("parser fails with 1007 at the first byte that cannot begin valid UTF-8") {
    for (const auto& c : utf8_cases()) {
        CAPTURE(c.name);
        std::string bytes = text(c.payload);
        const std::size_t header = bytes.size() - c.payload.size();
        ws::frame_parser parser;
        recorder rec;
        // Byte by byte: the failure must come with the offending byte, not at the end.
        std::size_t failed_after = 0;
        for (std::size_t i = 0; i < bytes.size() && failed_after == 0; ++i) {
            parser.feed(std::span<char>(bytes.data() + i, 1), rec);
            if (parser.failed()) failed_after = i + 1 - header;
        }
        CHECK(rec.log() == expected_events(c));
        if (c.fail_at == valid) CHECK(failed_after == 0);
        else if (c.fail_at == at_end) CHECK(failed_after == c.payload.size());
        else CHECK(failed_after == c.fail_at + 1);
    }
}

TEST_CASE("parser fails on invalid UTF-8 in a fragment before the message is complete") {
    // The first fragment alone shows it; no continuation ever needs to arrive.
    CHECK(parse_whole(text("hello \xC0", false)) == "fail:1007");
    CHECK(parse_whole(text("ok", false) + continuation("\xED\xA0", false)) == "fail:1007");
    // A long frame: the failure comes with the first bytes, long before the declared end.
    std::string bytes = encode({.opcode = 0x1, .payload = "abc\xFF", .declared_length = 60000});
    ws::frame_parser parser;
    recorder rec;
    parser.feed(bytes, rec);
    CHECK(rec.log() == "fail:1007");
    CHECK(parser.buffer_capacity() == empty_capacity);
    // A cut sequence at the end of a non-final fragment waits for the next one.
    ws::frame_parser waiting;
    recorder quiet;
    std::string first = text("caf\xC3", false);
    waiting.feed(first, quiet);
    CHECK(quiet.log().empty());
    CHECK(waiting.is_open());
    std::string rest = continuation("\xA9", true);
    waiting.feed(rest, quiet);
    CHECK(quiet.log() == "text:caf\xC3\xA9");
}

TEST_CASE("parser validates UTF-8 the same way whatever the fragments and read splits") {
    for (const auto& c : utf8_cases()) {
        CAPTURE(c.name);
        const std::string expected = expected_events(c);
        // Split into two fragments at every byte position, with a ping between them.
        for (std::size_t at = 0; at <= c.payload.size(); ++at) {
            CAPTURE(at);
            const std::string bytes = text(c.payload.substr(0, at), false) + ping("p") +
                                      continuation(c.payload.substr(at), true);
            const std::string want = c.fail_at != valid && c.fail_at != at_end && c.fail_at < at
                                         ? "fail:1007"          // fails inside the first fragment
                                         : (c.fail_at == valid ? "ping:p|" + expected : "ping:p|fail:1007");
            CHECK(parse_whole(bytes) == want);
            CHECK(parse_bytewise(bytes) == want);
        }
        // One frame, the reads split at every position.
        const std::string one = text(c.payload);
        for (std::size_t split = 0; split <= one.size(); ++split) CHECK(parse_split(one, split) == expected);
        // One fragment per byte.
        std::string bytes = text(c.payload.substr(0, std::min<std::size_t>(1, c.payload.size())), false);
        for (std::size_t i = 1; i < c.payload.size(); ++i) bytes += continuation(c.payload.substr(i, 1), false);
        bytes += continuation("", true);
        CHECK(parse_whole(bytes) == expected);
        CHECK(parse_bytewise(bytes) == expected);
    }
}

TEST_CASE("a text message's UTF-8 state does not leak into the next message or into binary") {
    // A truncated sequence fails its own message; the next message starts clean.
    CHECK(parse_whole(text("\xC3", false) + binary("x")) == "fail:1002");
    CHECK(parse_whole(text("a") + text("\xA9")) == "text:a|fail:1007");
    CHECK(parse_whole(text("a\xC3\xA9") + binary("\xA9\xFF") + text("\xC3\xA9")) ==
          "text:a\xC3\xA9|binary:\xA9\xFF|text:\xC3\xA9");
    // A control frame inside a text message is not part of its text.
    CHECK(parse_whole(text("\xE2\x82", false) + ping("\xFF") + continuation("\xAC", true)) ==
          "ping:\xFF|text:\xE2\x82\xAC");
}
