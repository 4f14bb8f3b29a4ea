#include "chat/outgoing_frame.hpp"

#include <variant>

#include "parley/core/codec.hpp"
#include "ws/frame_writer.hpp"

namespace parley::server::chat {
namespace {

shared_frame wrap(std::string bytes, std::size_t payload_size, frame_kind kind) {
    auto frame = std::make_shared<outgoing_frame>();
    frame->payload_offset = static_cast<std::uint8_t>(bytes.size() - payload_size);
    frame->bytes = std::move(bytes);
    frame->kind = kind;
    return frame;
}

/// One overload per server message type: a new type without one does not compile.
constexpr frame_kind kind_for(const chat_message&) { return frame_kind::chat; }
constexpr frame_kind kind_for(const edited_notice&) { return frame_kind::chat; }
constexpr frame_kind kind_for(const deleted_notice&) { return frame_kind::chat; }
constexpr frame_kind kind_for(const typing_notice&) { return frame_kind::chat; }
constexpr frame_kind kind_for(const presence_notice&) { return frame_kind::chat; }
constexpr frame_kind kind_for(const online_notice&) { return frame_kind::chat; }
constexpr frame_kind kind_for(const connection_info&) { return frame_kind::reply; }
constexpr frame_kind kind_for(const identity_result&) { return frame_kind::reply; }
constexpr frame_kind kind_for(const joined_notice&) { return frame_kind::reply; }
constexpr frame_kind kind_for(const history_page&) { return frame_kind::reply; }
constexpr frame_kind kind_for(const channel_list&) { return frame_kind::reply; }
constexpr frame_kind kind_for(const left_notice&) { return frame_kind::reply; }
constexpr frame_kind kind_for(const error_notice&) { return frame_kind::reply; }
constexpr frame_kind kind_for(const heartbeat_notice&) { return frame_kind::control; }

/// A control frame of `bytes`; control frames have a 2-byte header (payload <= 125 bytes).
shared_frame wrap_control(std::string bytes) {
    const std::size_t payload = bytes.size() - 2;
    return wrap(std::move(bytes), payload, frame_kind::control);
}

}  // namespace

frame_kind kind_of(const server_message& message) {
    return std::visit([](const auto& m) { return kind_for(m); }, message);
}

shared_frame make_text_frame(std::string_view json, frame_kind kind) {
    std::string bytes;
    bytes.reserve(ws::frame_header_size(json.size()) + json.size());
    ws::append_frame(bytes, ws::opcode::text, json);
    return wrap(std::move(bytes), json.size(), kind);
}

shared_frame make_frame(const server_message& message) { return make_text_frame(encode(message), kind_of(message)); }

shared_frame make_close_frame(std::uint16_t code, std::string_view reason) {
    return wrap_control(ws::make_close_frame(code, reason));
}

shared_frame make_pong_frame(std::string_view payload) { return wrap_control(ws::make_pong_frame(payload)); }

shared_frame make_raw_frame(std::string bytes) {
    const std::size_t size = bytes.size();  // no frame header: payload() is all of it
    return wrap(std::move(bytes), size, frame_kind::control);
}

}  // namespace parley::server::chat
