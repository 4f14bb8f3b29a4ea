#pragma once
// Typed messages of the wire protocol, both directions (PROTOCOL.md and docs/protocol.md).
// Plain values: no JSON, no I/O. The codec turns them into frames and back.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "parley/core/error_code.hpp"

namespace parley {

/// Server-assigned message id: positive, one sequence for the whole server.
using message_id = std::int64_t;
/// Unix time in milliseconds.
using unix_ms = std::int64_t;

// ---------------------------------------------------------------- client -> server

/// `identity`: claim a guest name. The server checks the name rule, not the codec,
/// because a bad name is answered with `identity` `reason:"invalid"`, not an error.
struct identity_request {
    std::string user;
};

/// `message`: post text to a channel (the only channel when `channel` is omitted).
struct post_message {
    std::optional<std::string> channel;
    std::string text;
};

/// `join`: enter a channel; `since` resumes after that id instead of the last 50.
struct join_request {
    std::string channel;
    std::optional<message_id> since;
};

/// `leave`: leave a channel.
struct leave_request {
    std::string channel;
};

/// `channels`: list channels with online counts, a page at a time (docs/protocol.md).
/// `after` starts the page after that name (a valid channel name); `limit` is already
/// clamped to 1..200 by the codec.
struct channels_request {
    std::optional<std::string> after = std::nullopt;
    int limit = 100;
};

/// `history`: page a joined channel. At most one of `before` and `after`;
/// `limit` is already clamped to 1..200 by the codec.
struct history_request {
    std::optional<std::string> channel;
    std::optional<message_id> before;
    std::optional<message_id> after;
    int limit = 50;
};

/// `typing`: tell the channel's others that this user is typing.
struct typing_request {
    std::optional<std::string> channel;
};

/// `heartbeat`: the client's answer to the server's heartbeat.
struct heartbeat_reply {};

/// `edit`: replace a message's text.
struct edit_request {
    message_id id = 0;
    std::string text;
};

/// `delete`: remove a message.
struct delete_request {
    message_id id = 0;
};

/// `kick` (admins): remove a user's connections from a channel.
struct kick_request {
    std::string channel;
    std::string user;
};

/// `ban` (admins): keep a user (and their address) out for `minutes`.
struct ban_request {
    std::string user;
    std::int64_t minutes = 0;
};

using client_message =
    std::variant<identity_request, post_message, join_request, leave_request, channels_request,
                 history_request, typing_request, heartbeat_reply, edit_request, delete_request,
                 kick_request, ban_request>;

/// A decoded client frame: the message and the request's `nonce`, which any request may
/// carry; errors answer it as `ref`, and for `message` it makes a resend idempotent.
struct client_frame {
    client_message message;
    std::optional<std::string> nonce;
};

// ---------------------------------------------------------------- server -> client

/// `connection`: the first frame on every connection.
struct connection_info {
    std::string id;  ///< the channel joined by the URL path
    std::string session;
    std::string server;
    int heartbeat_ms = 15000;
    std::optional<std::string> user;  ///< set when opened with a valid token
    std::optional<std::string> role;  ///< "user" or "admin", with `user`
};

/// `heartbeat` from the server; `authenticated` says whether the connection has a name.
struct heartbeat_notice {
    bool authenticated = false;
};

/// `identity` answer: success with the granted name, or failure with a reason
/// ("taken", "invalid", "already_identified").
struct identity_result {
    bool success = false;
    std::optional<std::string> user;
    std::optional<std::string> reason;
};

/// One chat message as stored and broadcast. `nonce` is set only on the echo to its sender.
/// `text` is empty only on the echo of a resend whose message was deleted since (a
/// `deleted` follows); clients never send empty text.
struct chat_message {
    message_id id = 0;
    std::string channel;
    std::string user;
    std::string text;
    unix_ms timestamp = 0;
    std::optional<std::string> nonce;
    std::optional<unix_ms> edited_at;
    /// The message's stream position in its channel: 1, 2, 3, ... with no gaps, assigned
    /// by the store at commit (docs/protocol.md, Stream positions). 0: not known (a peer
    /// that does not send it).
    std::int64_t seq = 0;

    bool operator==(const chat_message&) const = default;
};

/// `joined`: the channel's online names, sent to the joiner. In a big channel `users` is
/// cut at a cap and `online` gives the number of distinct names; without `online` the
/// count is users.size().
struct joined_notice {
    std::string channel;
    std::vector<std::string> users;
    std::optional<int> online = std::nullopt;
};

/// `history`: messages oldest first; `has_more` in the direction asked.
struct history_page {
    std::string channel;
    std::vector<chat_message> messages;
    bool has_more = false;
};

/// One row of a `channels` answer.
struct channel_summary {
    std::string name;
    int online = 0;

    bool operator==(const channel_summary&) const = default;
};

/// `channels` answer: one page, sorted by name; `has_more` when more channels sort after
/// the last one listed (the client asks again with `after` set to that name). A server
/// that does not page sends no `has_more`, which reads as false.
struct channel_list {
    std::vector<channel_summary> channels;
    bool has_more = false;
};

/// `presence`: a name appeared in or left a channel.
struct presence_notice {
    enum class change { joined, left };
    std::string channel;
    std::string user;
    change state = change::joined;
    int online = 0;
};

/// `online` (docs/protocol.md): a channel's count of distinct online names, sent in big
/// channels instead of a `presence` frame per name.
struct online_notice {
    std::string channel;
    int online = 0;
};

/// `typing` relayed to the channel's others.
struct typing_notice {
    std::string channel;
    std::string user;
};

/// `edited`: a message's new text.
struct edited_notice {
    message_id id = 0;
    std::string channel;
    std::string text;
    unix_ms edited_at = 0;
};

/// `deleted`: a message is gone.
struct deleted_notice {
    message_id id = 0;
    std::string channel;
};

/// `left` (docs/protocol.md): the connection is no longer in a channel, because it asked
/// (`leave`) or an admin kicked it (`reason:"kicked"`).
struct left_notice {
    std::string channel;
    std::optional<std::string> reason;
};

/// `error`: a request failed; `ref` is the failed request's nonce.
struct error_notice {
    error_code code = error_code::server_error;
    std::string message;
    std::optional<std::string> ref;
};

using server_message =
    std::variant<connection_info, heartbeat_notice, identity_result, chat_message, joined_notice,
                 history_page, channel_list, presence_notice, typing_notice, edited_notice,
                 deleted_notice, left_notice, error_notice, online_notice>;

}  // namespace parley
