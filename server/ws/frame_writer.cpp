#include "ws/frame_writer.hpp"

namespace parley::server::ws {

namespace {

/// `text` cut to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t size = limit;
    // Back off continuation bytes (10xxxxxx) so the cut falls before a lead byte.
    while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) --size;
    return text.substr(0, size);
}

}  // namespace

void append_frame(std::string& out, opcode op, std::string_view payload) {
    if (is_control(op) && payload.size() > max_control_payload)
        payload = payload.substr(0, max_control_payload);
    const std::size_t size = payload.size();
    const std::size_t start = out.size();
    out.resize(start + frame_header_size(size) + size);
    char* p = out.data() + start;
    *p++ = static_cast<char>(0x80 | static_cast<std::uint8_t>(op));
    if (size < 126) {
        *p++ = static_cast<char>(size);
    } else if (size <= 0xFFFF) {
        *p++ = static_cast<char>(126);
        *p++ = static_cast<char>(size >> 8);
        *p++ = static_cast<char>(size & 0xFF);
    } else {
        *p++ = static_cast<char>(127);
        const auto wide = static_cast<std::uint64_t>(size);
        for (int shift = 56; shift >= 0; shift -= 8) *p++ = static_cast<char>((wide >> shift) & 0xFF);
    }
    payload.copy(p, size);
}

std::string make_text_frame(std::string_view payload) {
    std::string frame;
    append_frame(frame, opcode::text, payload);
    return frame;
}

std::string make_close_frame(std::uint16_t code, std::string_view reason) {
    std::string body;
    if (code != close_code::no_status) {
        reason = utf8_prefix(reason, max_close_reason);
        body.reserve(2 + reason.size());
        body.push_back(static_cast<char>(code >> 8));
        body.push_back(static_cast<char>(code & 0xFF));
        body.append(reason);
    }
    std::string frame;
    append_frame(frame, opcode::close, body);
    return frame;
}

std::string make_ping_frame(std::string_view payload) {
    std::string frame;
    append_frame(frame, opcode::ping, payload);
    return frame;
}

std::string make_pong_frame(std::string_view payload) {
    std::string frame;
    append_frame(frame, opcode::pong, payload);
    return frame;
}

}  // namespace parley::server::ws
