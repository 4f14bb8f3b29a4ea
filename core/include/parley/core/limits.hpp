#pragma once
// Every protocol limit and tunable default in one place, each with its reason.
// Shared by the server, the clients and the tests so that no side guesses.

#include <cstddef>
#include <cstdint>

namespace parley::limits {

/// Longest message text, in Unicode code points (PROTOCOL.md, Transport).
inline constexpr std::size_t max_text_code_points = 4000;
/// Longest user or account name, in bytes; names are ASCII (PROTOCOL.md, Identity).
inline constexpr std::size_t max_user_name_bytes = 32;
/// Longest channel name, in bytes; channel names are ASCII (PROTOCOL.md, Transport).
inline constexpr std::size_t max_channel_name_bytes = 32;
/// Longest nonce, in code points (PROTOCOL.md, Details: Nonces).
inline constexpr std::size_t max_nonce_code_points = 64;

/// Largest WebSocket frame accepted by default; bigger ones close with 1009.
/// 64 KiB holds 4,000 four-byte code points escaped as \uXXXX pairs (48 KB) and change.
inline constexpr std::size_t default_max_frame_bytes = 64 * 1024;
/// Largest frame a client reads from the server; bigger ones close the connection (1009).
/// The server bounds history and channels replies to 256 KiB and a message frame is at
/// most ~24 KiB (4,000 code points escaped as \uXXXX) plus fields: 1 MiB takes every frame
/// a Parley server sends with room to spare, while a hostile server can make a client
/// buffer and parse no more than this per frame.
inline constexpr std::size_t max_server_frame_bytes = 1024 * 1024;
/// Deepest JSON nesting a frame may have, either direction, ignored fields included. No
/// message needs more than 3 levels (a history page: object, array, row); refusing deep
/// input keeps the parser's state and the allocator bounded.
inline constexpr int max_json_depth = 16;
/// Most JSON values (objects, arrays, strings, numbers, literals, at any depth, ignored
/// fields included) a frame may hold, either direction. The biggest frames Parley sends, a
/// history page of 200 messages (about 1,600 values) or a channels page of 200 (600), stay
/// far below, as must the server's cap on the names in `joined`; 64 KiB of `[{},{},...]`
/// holds 21,000. Parsing stops at the cap (invalid_json), so a frame's kept tree is at most
/// this many values (~1 MB) and its parse time is bounded by its bytes, not its structure.
inline constexpr std::size_t max_json_values = 10'000;

/// Messages sent on join without `since` (PROTOCOL.md, Channels).
inline constexpr int join_history_messages = 50;
/// Messages sent on join with `since`; the rest are paged with `after`.
inline constexpr int resume_history_messages = 200;
/// Default and largest `limit` of a history request.
inline constexpr int default_history_limit = 50;
inline constexpr int max_history_limit = 200;
/// Default and largest `limit` of a channels request (docs/protocol.md): a page of 200
/// rows is about 12 KB, far inside any send queue, and the client pages on with `after`.
inline constexpr int default_channels_limit = 100;
inline constexpr int max_channels_limit = 200;

/// Largest message id; ids are JSON numbers that JavaScript clients must read exactly (2^53 - 1).
inline constexpr std::int64_t max_message_id = 9007199254740991LL;

/// Server heartbeat period; 15 s keeps NAT and proxy idle timers (often 30-60 s) open.
inline constexpr int default_heartbeat_ms = 15000;
/// Heartbeats a client may leave unanswered in a row before the server closes it (1001).
inline constexpr int missed_heartbeats_before_close = 2;
/// A client treats a server silent for this many heartbeat periods as dead.
inline constexpr int silent_heartbeats_before_dead = 3;

/// Per-connection posting rate (messages/s) and burst: a fast typist stays far below,
/// a flood is cut off at once.
inline constexpr double default_rate_limit_per_s = 10.0;
inline constexpr double default_rate_burst = 20.0;

/// Malformed frames answered within the window; the next one closes with 1008.
inline constexpr int protocol_error_budget = 20;
inline constexpr int protocol_error_window_ms = 60'000;

/// A user's typing notices are relayed at most once per this interval per channel.
inline constexpr int typing_relay_interval_ms = 2000;
/// Clients show a typing notice for this long after the last one.
inline constexpr int typing_display_ms = 5000;

/// Bytes a connection may have queued for sending before it is dropped as a slow consumer:
/// about 10,000 typical chat frames, so a client that merely hiccups survives.
inline constexpr std::size_t default_send_queue_bytes = 1024 * 1024;

/// Nonces are remembered for resend detection at least this long (PROTOCOL.md, Nonces).
inline constexpr std::int64_t nonce_memory_ms = 24LL * 60 * 60 * 1000;

/// Password length in bytes (PROTOCOL.md, Accounts).
inline constexpr std::size_t min_password_bytes = 8;
inline constexpr std::size_t max_password_bytes = 1024;

/// Longest ban an admin may set: one year, in minutes.
inline constexpr std::int64_t max_ban_minutes = 365LL * 24 * 60;

}  // namespace parley::limits
