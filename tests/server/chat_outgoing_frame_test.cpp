#include "chat/outgoing_frame.hpp"

#include <doctest/doctest.h>

#include <string>

#include "parley/core/codec.hpp"
#include "ws/frame_writer.hpp"

using namespace parley;
using parley::server::frame_kind;
namespace chat = parley::server::chat;

namespace {

template <class Message>
void check_kind(frame_kind expected) {
    const server_message message = Message{};
    CHECK(chat::kind_of(message) == expected);
    const auto frame = chat::make_frame(message);
    CHECK(frame->kind == expected);
    CHECK(frame->payload() == encode(message));
}

}  // namespace

TEST_CASE("make_frame marks chat events as chat frames: what deliveries count") {
    check_kind<chat_message>(frame_kind::chat);
    check_kind<edited_notice>(frame_kind::chat);
    check_kind<deleted_notice>(frame_kind::chat);
    check_kind<typing_notice>(frame_kind::chat);
    check_kind<presence_notice>(frame_kind::chat);
    check_kind<online_notice>(frame_kind::chat);
}

TEST_CASE("make_frame marks answers to one connection as replies and the heartbeat as control") {
    check_kind<connection_info>(frame_kind::reply);
    check_kind<identity_result>(frame_kind::reply);
    check_kind<joined_notice>(frame_kind::reply);
    check_kind<history_page>(frame_kind::reply);
    check_kind<channel_list>(frame_kind::reply);
    check_kind<left_notice>(frame_kind::reply);
    check_kind<error_notice>(frame_kind::reply);
    check_kind<heartbeat_notice>(frame_kind::control);
}

TEST_CASE("make_text_frame is a chat frame unless told otherwise; pong, close and raw bytes are control") {
    CHECK(chat::make_text_frame(R"({"type":"typing"})")->kind == frame_kind::chat);
    CHECK(chat::make_text_frame(R"({"type":"joined"})", frame_kind::reply)->kind == frame_kind::reply);

    const auto pong = chat::make_pong_frame("abc");
    CHECK(pong->kind == frame_kind::control);
    CHECK(pong->bytes == server::ws::make_pong_frame("abc"));
    CHECK(pong->payload() == "abc");

    const auto close = chat::make_close_frame(1000, "bye");
    CHECK(close->kind == frame_kind::control);
    CHECK(close->bytes == server::ws::make_close_frame(1000, "bye"));

    // The 101 answer is longer than a uint8_t offset could skip: its payload is all of it.
    const std::string answer = "HTTP/1.1 101 Switching Protocols\r\n" + std::string(300, 'x') + "\r\n\r\n";
    const auto raw = chat::make_raw_frame(answer);
    CHECK(raw->kind == frame_kind::control);
    CHECK(raw->bytes == answer);
    CHECK(raw->payload() == answer);
}
