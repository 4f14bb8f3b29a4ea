#pragma once
// RFC 6455 vocabulary shared by the frame parser and writer: opcodes, close codes and
// the control frame limit. Plain constants; no I/O.

#include <cstddef>
#include <cstdint>

namespace parley::server::ws {

/// A frame's opcode (RFC 6455 section 5.2); the values are the wire values.
enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// Whether `op` is a control opcode (close, ping, pong): never fragmented, <= 125 bytes.
constexpr bool is_control(opcode op) {
    return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

/// Largest payload of a control frame (RFC 6455 section 5.5).
inline constexpr std::size_t max_control_payload = 125;

/// Longest close reason: the control payload minus the two bytes of the code.
inline constexpr std::size_t max_close_reason = max_control_payload - 2;

/// The close codes Parley sends or reports (RFC 6455 section 7.4.1).
namespace close_code {
/// The conversation is over.
inline constexpr std::uint16_t normal = 1000;
/// The server is shutting down, or the client stopped answering heartbeats.
inline constexpr std::uint16_t going_away = 1001;
/// The peer broke RFC 6455 (unmasked frame, bad opcode, ...).
inline constexpr std::uint16_t protocol_error = 1002;
/// Reported, never sent: the peer's close frame carried no code.
inline constexpr std::uint16_t no_status = 1005;
/// A text message or close reason was not valid UTF-8.
inline constexpr std::uint16_t invalid_payload = 1007;
/// The client used up its budget of malformed frames (PROTOCOL.md, Protocol errors).
inline constexpr std::uint16_t policy_violation = 1008;
/// A message exceeded the configured size limit.
inline constexpr std::uint16_t message_too_big = 1009;
/// The server failed in a way the client did not cause.
inline constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

/// Whether a peer may put `code` in a close frame: 1000-1003, 1007-1014 (the registered
/// codes that are not reserved for local use) and 3000-4999 (libraries and applications).
constexpr bool is_valid_close_code(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

}  // namespace parley::server::ws
