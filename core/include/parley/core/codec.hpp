#pragma once
// JSON encoding and decoding of protocol frames. Decoding never throws: any input,
// however hostile, yields a message or a protocol_error. Encoding yields compact JSON.

#include <string>
#include <string_view>

#include "parley/core/messages.hpp"
#include "parley/core/result.hpp"

namespace parley {

/// Decodes a text frame sent by a client. Enforces types, ranges and the text rules;
/// a bad channel name is `no_such_channel`, text over 4,000 code points `too_long`.
/// Name syntax in `identity` is left to the server (it answers `reason:"invalid"`).
result<client_frame> decode_client_frame(std::string_view text);

/// Decodes a frame sent by the server (clients and tests use this).
result<server_message> decode_server_message(std::string_view text);

/// Compact JSON for a client frame.
std::string encode(const client_frame& frame);
/// Compact JSON for a server message.
std::string encode(const server_message& message);

/// The wire `type` of a message, e.g. "history".
std::string_view type_name(const client_message& message);
std::string_view type_name(const server_message& message);

}  // namespace parley
