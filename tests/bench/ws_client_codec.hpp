#pragma once
// The client side of RFC 6455, as far as the benchmark needs it: the upgrade request,
// masked client frames, and parsing of the server's unmasked frames. Pure functions over
// bytes (no sockets), so the event loop only moves them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::bench {

/// WebSocket opcodes (RFC 6455, 5.2).
enum class ws_opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// The HTTP/1.1 upgrade request for `path` on `host_port` (e.g. "127.0.0.1:9001").
/// `key_seed` makes the Sec-WebSocket-Key differ per connection, as the RFC asks.
std::string make_upgrade_request(std::string_view host_port, std::string_view path, std::uint64_t key_seed);

/// Outcome of looking at the bytes received after sending the upgrade request.
enum class upgrade_status { incomplete, accepted, refused };

/// Whether `bytes` hold a complete response head and whether it is a 101 with
/// `Upgrade: websocket`. On `accepted` or `refused`, `head_length` is the length of the
/// head (the bytes after it are already WebSocket frames) and `status_line` its first line.
upgrade_status parse_upgrade_response(std::string_view bytes, std::size_t& head_length,
                                      std::string_view& status_line);

/// Appends one masked, unfragmented client frame to `out`. `mask` is the masking key.
void append_client_frame(std::string& out, ws_opcode opcode, std::string_view payload, std::uint32_t mask);

/// A frame header read from the server.
struct server_frame_header {
    bool fin = false;
    ws_opcode opcode = ws_opcode::text;
    std::size_t header_length = 0;
    std::uint64_t payload_length = 0;
};

/// Outcome of reading a header: not enough bytes yet, a header, or a frame no server may
/// send (masked, reserved bits set without an extension, fragmented or oversized control).
enum class header_status { incomplete, ok, invalid };

/// Reads the frame header at the start of `bytes`.
header_status parse_server_frame_header(std::string_view bytes, server_frame_header& header);

}  // namespace parley::bench
