#include "chat/outgoing_frame.hpp"

#include "parley/core/codec.hpp"
#include "ws/frame_writer.hpp"

namespace parley::server::chat {
namespace {

shared_frame wrap(std::string bytes, std::size_t payload_size) {
    auto frame = std::make_shared<outgoing_frame>();
    frame->payload_offset = static_cast<std::uint8_t>(bytes.size() - payload_size);
    frame->bytes = std::move(bytes);
    return frame;
}

}  // namespace

shared_frame make_text_frame(std::string_view json) {
    std::string bytes;
    bytes.reserve(ws::frame_header_size(json.size()) + json.size());
    ws::append_frame(bytes, ws::opcode::text, json);
    return wrap(std::move(bytes), json.size());
}

shared_frame make_frame(const server_message& message) { return make_text_frame(encode(message)); }

shared_frame make_close_frame(std::uint16_t code, std::string_view reason) {
    std::string bytes = ws::make_close_frame(code, reason);
    const std::size_t payload = bytes.size() - 2;  // control frames have a 2-byte header
    return wrap(std::move(bytes), payload);
}

shared_frame make_pong_frame(std::string_view payload) {
    std::string bytes = ws::make_pong_frame(payload);
    const std::size_t size = bytes.size() - 2;
    return wrap(std::move(bytes), size);
}

}  // namespace parley::server::chat
