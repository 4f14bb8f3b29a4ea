#pragma once
// What a frame sent to a client is, for counting: a chat event delivered to a reader, an
// answer to one connection, or the transport's own traffic. Set where a frame is built
// (chat/outgoing_frame.hpp), counted where it is queued (net/ws_session.cpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::server {

/// The kinds of server frames /metrics counts apart (parley_frames_queued_total{kind}).
enum class frame_kind : std::uint8_t {
    /// A chat event for a reader of a channel: message, edited, deleted, typing, presence,
    /// online. Only these are parley_deliveries_total.
    chat,
    /// An answer to the one connection that asked or is concerned: connection, identity,
    /// joined, history, channels, left, error.
    reply,
    /// The transport's own frames: the 101 answer, heartbeat, pong, close.
    control,
};

/// Every kind, in the order of the enum (the index of frame_kind_counts).
inline constexpr std::array<frame_kind, 3> all_frame_kinds = {frame_kind::chat, frame_kind::reply,
                                                              frame_kind::control};

/// The label value /metrics writes for `kind`: "chat", "reply" or "control".
constexpr std::string_view to_string(frame_kind kind) {
    switch (kind) {
        case frame_kind::chat: return "chat";
        case frame_kind::reply: return "reply";
        case frame_kind::control: return "control";
    }
    return "control";
}

}  // namespace parley::server
