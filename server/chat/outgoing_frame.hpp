#pragma once
// A server frame ready for the wire: the WebSocket header and the JSON payload in one
// buffer, built once and shared by every connection it goes to.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "metrics/frame_kind.hpp"
#include "parley/core/messages.hpp"

namespace parley::server::chat {

/// One complete WebSocket frame. Immutable once built; shared between connections.
struct outgoing_frame {
    std::string bytes;               ///< header + payload, as sent
    std::uint8_t payload_offset = 0; ///< where the payload starts in `bytes`
    /// What the frame is, for /metrics (metrics/frame_kind.hpp); set where it is built.
    frame_kind kind = frame_kind::control;

    /// The frame's payload (the JSON text for text frames).
    std::string_view payload() const { return std::string_view(bytes).substr(payload_offset); }
};

using shared_frame = std::shared_ptr<const outgoing_frame>;

/// What a server message is (chat event, reply or control), by its type.
frame_kind kind_of(const server_message& message);

/// A text frame holding `json`, an encoded server message of `kind`. The default is what
/// the hub's bus carries: chat events encoded once for every reader of a channel.
shared_frame make_text_frame(std::string_view json, frame_kind kind = frame_kind::chat);
/// A text frame holding the encoding of `message`; its kind is kind_of(message).
shared_frame make_frame(const server_message& message);
/// A close frame (control frames go through the same single-writer queue).
shared_frame make_close_frame(std::uint16_t code, std::string_view reason);
/// A pong answering a ping's payload.
shared_frame make_pong_frame(std::string_view payload);
/// Raw bytes sent as they are, of kind control: the 101 answer to the upgrade, which goes
/// through the same queue as the frames after it (one writer, in order).
shared_frame make_raw_frame(std::string bytes);

}  // namespace parley::server::chat
