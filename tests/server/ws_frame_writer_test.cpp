#include "ws/frame_writer.hpp"

#include <doctest/doctest.h>

#include <string>

namespace ws = parley::server::ws;

namespace {

unsigned byte_at(const std::string& s, std::size_t i) {
    return static_cast<unsigned char>(s[i]);
}

}  // namespace

TEST_CASE("close codes and opcodes have their RFC 6455 values") {
    CHECK(ws::close_code::normal == 1000);
    CHECK(ws::close_code::going_away == 1001);
    CHECK(ws::close_code::protocol_error == 1002);
    CHECK(ws::close_code::no_status == 1005);
    CHECK(ws::close_code::invalid_payload == 1007);
    CHECK(ws::close_code::policy_violation == 1008);
    CHECK(ws::close_code::message_too_big == 1009);
    CHECK(ws::close_code::internal_error == 1011);
    CHECK(static_cast<int>(ws::opcode::text) == 1);
    CHECK(static_cast<int>(ws::opcode::binary) == 2);
    CHECK(static_cast<int>(ws::opcode::close) == 8);
    CHECK(static_cast<int>(ws::opcode::ping) == 9);
    CHECK(static_cast<int>(ws::opcode::pong) == 10);
    CHECK(ws::is_control(ws::opcode::ping));
    CHECK_FALSE(ws::is_control(ws::opcode::text));
    CHECK_FALSE(ws::is_valid_close_code(ws::close_code::no_status));
    CHECK(ws::is_valid_close_code(ws::close_code::policy_violation));
}

TEST_CASE("writer makes an unmasked final text frame with a 7-bit length") {
    const std::string frame = ws::make_text_frame("hello");
    REQUIRE(frame.size() == 7);
    CHECK(byte_at(frame, 0) == 0x81);
    CHECK(byte_at(frame, 1) == 5);
    CHECK(frame.substr(2) == "hello");
    CHECK(ws::make_text_frame("") == std::string("\x81\x00", 2));
    CHECK(byte_at(ws::make_text_frame(std::string(125, 'a')), 1) == 125);
}

TEST_CASE("writer uses a 16-bit length from 126 to 65535 bytes") {
    for (std::size_t size : {126, 300, 65535}) {
        CAPTURE(size);
        const std::string frame = ws::make_text_frame(std::string(size, 'a'));
        REQUIRE(frame.size() == 4 + size);
        CHECK(byte_at(frame, 1) == 126);
        CHECK((byte_at(frame, 2) << 8 | byte_at(frame, 3)) == size);
        CHECK(frame.substr(4) == std::string(size, 'a'));
    }
}

TEST_CASE("writer uses a 64-bit length from 65536 bytes") {
    const std::string frame = ws::make_text_frame(std::string(65536, 'b'));
    REQUIRE(frame.size() == 10 + 65536);
    CHECK(byte_at(frame, 1) == 127);
    CHECK(frame.substr(2, 8) == std::string("\x00\x00\x00\x00\x00\x01\x00\x00", 8));
    CHECK(frame.substr(10) == std::string(65536, 'b'));
}

TEST_CASE("frame_header_size matches the frames written") {
    for (std::size_t size : {0, 125, 126, 65535, 65536}) {
        CAPTURE(size);
        CHECK(ws::make_text_frame(std::string(size, 'c')).size() == ws::frame_header_size(size) + size);
    }
}

TEST_CASE("append_frame adds to what the buffer already holds") {
    std::string out = "queued";
    ws::append_frame(out, ws::opcode::text, "a");
    ws::append_frame(out, ws::opcode::binary, "b");
    CHECK(out == std::string("queued\x81\x01"
                             "a\x82\x01"
                             "b",
                             12));
}

TEST_CASE("writer makes close frames with the code in network order") {
    const std::string frame = ws::make_close_frame(ws::close_code::message_too_big, "too big");
    CHECK(frame == std::string("\x88\x09\x03\xF1too big", 11));
    CHECK(ws::make_close_frame(ws::close_code::normal) == std::string("\x88\x02\x03\xE8", 4));
}

TEST_CASE("writer echoes a close without a code as a close without a body") {
    CHECK(ws::make_close_frame(ws::close_code::no_status, "ignored") == std::string("\x88\x00", 2));
}

TEST_CASE("writer cuts a close reason to 123 bytes at a UTF-8 boundary") {
    const std::string exact(123, 'r');
    CHECK(ws::make_close_frame(1000, exact).substr(4) == exact);
    CHECK(ws::make_close_frame(1000, exact + "s").substr(4) == exact);

    // 122 ASCII bytes and a 2-byte code point: the code point does not fit and is dropped whole.
    const std::string ascii(122, 'r');
    const std::string frame = ws::make_close_frame(1000, ascii + "\xC3\xA9" + "x");
    CHECK(byte_at(frame, 1) == 124);
    CHECK(frame.substr(4) == ascii);

    // A 4-byte code point ending exactly at byte 123 is kept.
    const std::string fits = std::string(119, 'r') + "\xF0\x9F\x98\x80";
    CHECK(ws::make_close_frame(1000, fits + "tail").substr(4) == fits);
}

TEST_CASE("writer makes ping and pong frames and cuts their payload to 125 bytes") {
    CHECK(ws::make_ping_frame() == std::string("\x89\x00", 2));
    CHECK(ws::make_ping_frame("hb") == std::string("\x89\x02hb", 4));
    CHECK(ws::make_pong_frame("hb") == std::string("\x8A\x02hb", 4));
    const std::string pong = ws::make_pong_frame(std::string(200, 'p'));
    CHECK(byte_at(pong, 1) == 125);
    CHECK(pong.size() == 127);
}
