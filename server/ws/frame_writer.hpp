#pragma once
// Server-to-client frames (RFC 6455): unmasked, FIN set, never fragmented. Pure code over
// strings, so a session can append every queued frame to one buffer for one gather write.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ws/frame.hpp"

namespace parley::server::ws {

/// Bytes of the header of a server frame carrying `payload_size` bytes (2, 4 or 10).
constexpr std::size_t frame_header_size(std::size_t payload_size) {
    return payload_size < 126 ? 2 : payload_size <= 0xFFFF ? 4 : 10;
}

/// Appends one complete frame to `out` (which keeps its contents). Control payloads
/// (close, ping, pong) are cut to 125 bytes, the most RFC 6455 allows. Any thread.
void append_frame(std::string& out, opcode op, std::string_view payload);

/// A complete text frame holding `payload` (which the caller guarantees is UTF-8).
std::string make_text_frame(std::string_view payload);

/// A close frame with `code` and `reason`; the reason is cut at a UTF-8 boundary to fit
/// 123 bytes. close_code::no_status gives a close frame without a body, which is how a
/// close that carried no code is echoed.
std::string make_close_frame(std::uint16_t code, std::string_view reason = {});

/// A ping frame (payload cut to 125 bytes); the server's heartbeat may use it.
std::string make_ping_frame(std::string_view payload = {});

/// A pong frame answering a ping with `payload` (cut to 125 bytes).
std::string make_pong_frame(std::string_view payload);

}  // namespace parley::server::ws
