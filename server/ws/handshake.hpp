#pragma once
// The server's part of the RFC 6455 opening handshake that Beast's HTTP parser leaves to us:
// checking Sec-WebSocket-Key and computing Sec-WebSocket-Accept. Pure functions.

#include <string>
#include <string_view>

namespace parley::server::ws {

/// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key: base64(SHA-1(key + GUID)),
/// 28 characters. Empty only if OpenSSL fails. Any thread.
std::string accept_key(std::string_view sec_websocket_key);

/// Whether `key` is a valid Sec-WebSocket-Key: the canonical base64 of 16 bytes
/// (24 characters ending in "==", padding bits zero). Any thread.
bool is_valid_client_key(std::string_view key);

}  // namespace parley::server::ws
