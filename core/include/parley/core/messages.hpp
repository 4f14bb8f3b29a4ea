#pragma once
// Typed messages of the wire protocol, both directions (PROTOCOL.md and docs/protocol.md).
// Plain values: no JSON, no I/O. Each struct carries its one wire description, `schema`
// (vocabulary in wire_schema.hpp): type name, field names, presence and bounds. The codec
// derives decoding, encoding, type names and the parser's known fields from it, and the
// variants at the end list the types of each direction. Adding a message type: its struct
// with its `schema` here, and its name in the variant (docs/architecture/core.md).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "parley/core/error_code.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/wire_schema.hpp"

namespace parley {

/// Server-assigned message id: positive, one sequence for the whole server.
using message_id = std::int64_t;
/// Unix time in milliseconds.
using unix_ms = std::int64_t;

namespace wire {
/// A message id: a posted one is at least 1; `since` and `after` may be 0 (before the first).
inline constexpr integer_kind id = integer(1, limits::max_message_id);
inline constexpr integer_kind id_or_zero = integer(0, limits::max_message_id);
/// A time in unix ms: only has to be non-negative.
inline constexpr integer_kind time = integer(0, std::numeric_limits<std::int64_t>::max());
/// A stream position: 1, 2, 3, ...
inline constexpr integer_kind position = integer(1, std::numeric_limits<std::int64_t>::max());
/// A count of names, rows or milliseconds kept in an int.
inline constexpr integer_kind count = integer(0, int_max);
}  // namespace wire

// ---------------------------------------------------------------- client -> server

/// `identity`: claim a guest name. The server checks the name rule, not the codec,
/// because a bad name is answered with `identity` `reason:"invalid"`, not an error.
struct identity_request {
    std::string user;

    static constexpr auto schema =
        wire::message("identity", wire::required("user", &identity_request::user, wire::string));
};

/// `message`: post text to a channel (the only channel when `channel` is omitted).
struct post_message {
    std::optional<std::string> channel;
    std::string text;

    static constexpr auto schema =
        wire::message("message", wire::optional("channel", &post_message::channel, wire::channel),
                      wire::required("text", &post_message::text, wire::text));
};

/// `join`: enter a channel; `since` resumes after that id instead of the last 50.
struct join_request {
    std::string channel;
    std::optional<message_id> since;

    static constexpr auto schema =
        wire::message("join", wire::required("channel", &join_request::channel, wire::channel),
                      wire::optional("since", &join_request::since, wire::id_or_zero));
};

/// `leave`: leave a channel.
struct leave_request {
    std::string channel;

    static constexpr auto schema =
        wire::message("leave", wire::required("channel", &leave_request::channel, wire::channel));
};

/// `channels`: list channels with online counts, a page at a time (docs/protocol.md).
/// `after` starts the page after that name (a valid channel name); `limit` is already
/// clamped to 1..200 by the codec. The default page is left off the wire, so the plain
/// request stays {"type":"channels"}, which servers that do not page read the same.
struct channels_request {
    std::optional<std::string> after = std::nullopt;
    int limit = limits::default_channels_limit;

    static constexpr auto schema =
        wire::message("channels", wire::optional("after", &channels_request::after, wire::channel_cursor),
                      wire::omitted_at_default("limit", &channels_request::limit,
                                               wire::clamped(1, limits::max_channels_limit)));
};

/// `history`: page a joined channel. At most one of `before` and `after`;
/// `limit` is already clamped to 1..200 by the codec.
struct history_request {
    std::optional<std::string> channel;
    std::optional<message_id> before;
    std::optional<message_id> after;
    int limit = limits::default_history_limit;

    static constexpr auto schema =
        wire::message(
            "history", wire::optional("channel", &history_request::channel, wire::channel),
            wire::optional("before", &history_request::before, wire::id),
            wire::optional("after", &history_request::after, wire::id_or_zero),
            wire::defaulted("limit", &history_request::limit, wire::clamped(1, limits::max_history_limit)))
            .excluding("before", "after");
};

/// `typing`: tell the channel's others that this user is typing.
struct typing_request {
    std::optional<std::string> channel;

    static constexpr auto schema =
        wire::message("typing", wire::optional("channel", &typing_request::channel, wire::channel));
};

/// `heartbeat`: the client's answer to the server's heartbeat.
struct heartbeat_reply {
    static constexpr auto schema = wire::message("heartbeat");
};

/// `edit`: replace a message's text.
struct edit_request {
    message_id id = 0;
    std::string text;

    static constexpr auto schema = wire::message("edit", wire::required("id", &edit_request::id, wire::id),
                                                 wire::required("text", &edit_request::text, wire::text));
};

/// `delete`: remove a message.
struct delete_request {
    message_id id = 0;

    static constexpr auto schema =
        wire::message("delete", wire::required("id", &delete_request::id, wire::id));
};

/// `kick` (admins): remove a user's connections from a channel.
struct kick_request {
    std::string channel;
    std::string user;

    static constexpr auto schema =
        wire::message("kick", wire::required("channel", &kick_request::channel, wire::channel),
                      wire::required("user", &kick_request::user, wire::user_name));
};

/// `ban` (admins): keep a user (and their address) out for `minutes`.
struct ban_request {
    std::string user;
    std::int64_t minutes = 0;

    static constexpr auto schema = wire::message(
        "ban", wire::required("user", &ban_request::user, wire::user_name),
        wire::required("minutes", &ban_request::minutes, wire::integer(1, limits::max_ban_minutes)));
};

using client_message = std::variant<identity_request, post_message, join_request, leave_request,
                                    channels_request, history_request, typing_request, heartbeat_reply,
                                    edit_request, delete_request, kick_request, ban_request>;

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

    static constexpr auto schema = wire::message(
        "connection", wire::required("id", &connection_info::id, wire::string),
        wire::required("session", &connection_info::session, wire::string),
        wire::required("server", &connection_info::server, wire::string),
        wire::required("heartbeat_ms", &connection_info::heartbeat_ms, wire::integer(1, wire::int_max)),
        wire::optional("user", &connection_info::user, wire::string),
        wire::optional("role", &connection_info::role, wire::string));
};

/// `heartbeat` from the server; `authenticated` says whether the connection has a name.
struct heartbeat_notice {
    bool authenticated = false;

    static constexpr auto schema = wire::message(
        "heartbeat", wire::defaulted("authenticated", &heartbeat_notice::authenticated, wire::boolean));
};

/// `identity` answer: success with the granted name, or failure with a reason
/// ("taken", "invalid", "already_identified").
struct identity_result {
    bool success = false;
    std::optional<std::string> user;
    std::optional<std::string> reason;

    static constexpr auto schema =
        wire::message("identity", wire::required("success", &identity_result::success, wire::boolean),
                      wire::optional("user", &identity_result::user, wire::string),
                      wire::optional("reason", &identity_result::reason, wire::string));
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

    /// Also a row of `history`. Written in this order, so frames read naturally in logs.
    static constexpr auto schema =
        wire::message("message", wire::required("id", &chat_message::id, wire::id),
                      wire::required("channel", &chat_message::channel, wire::string),
                      wire::required("user", &chat_message::user, wire::string),
                      wire::required("text", &chat_message::text, wire::string),
                      wire::required("timestamp", &chat_message::timestamp, wire::time),
                      wire::optional("edited_at", &chat_message::edited_at, wire::time),
                      wire::omitted_at_default("seq", &chat_message::seq, wire::position),
                      wire::optional("nonce", &chat_message::nonce, wire::string));
};

/// `joined`: the channel's online names, sent to the joiner. In a big channel `users` is
/// cut at a cap and `online` gives the number of distinct names; without `online` the
/// count is users.size().
struct joined_notice {
    std::string channel;
    std::vector<std::string> users;
    std::optional<int> online = std::nullopt;

    static constexpr auto schema =
        wire::message("joined", wire::required("channel", &joined_notice::channel, wire::string),
                      wire::required("users", &joined_notice::users, wire::string_list),
                      wire::optional("online", &joined_notice::online, wire::count));
};

/// `history`: messages oldest first; `has_more` in the direction asked.
struct history_page {
    std::string channel;
    std::vector<chat_message> messages;
    bool has_more = false;

    static constexpr auto schema =
        wire::message("history", wire::required("channel", &history_page::channel, wire::string),
                      wire::required("messages", &history_page::messages, wire::rows<chat_message>),
                      wire::required("has_more", &history_page::has_more, wire::boolean));
};

/// One row of a `channels` answer.
struct channel_summary {
    std::string name;
    int online = 0;

    bool operator==(const channel_summary&) const = default;

    static constexpr auto schema = wire::row(wire::required("name", &channel_summary::name, wire::string),
                                             wire::required("online", &channel_summary::online, wire::count));
};

/// `channels` answer: one page, sorted by name; `has_more` when more channels sort after
/// the last one listed (the client asks again with `after` set to that name). A server
/// that does not page sends no `has_more`, which reads as false.
struct channel_list {
    std::vector<channel_summary> channels;
    bool has_more = false;

    static constexpr auto schema = wire::message(
        "channels", wire::required("channels", &channel_list::channels, wire::rows<channel_summary>),
        wire::defaulted("has_more", &channel_list::has_more, wire::boolean));
};

/// `presence`: a name appeared in or left a channel.
struct presence_notice {
    enum class change { joined, left };
    std::string channel;
    std::string user;
    change state = change::joined;
    int online = 0;

    static constexpr auto schema =
        wire::message("presence", wire::required("channel", &presence_notice::channel, wire::string),
                      wire::required("user", &presence_notice::user, wire::string),
                      wire::required("state", &presence_notice::state,
                                     wire::one_of(wire::name<change>{"joined", change::joined},
                                                  wire::name<change>{"left", change::left})),
                      wire::required("online", &presence_notice::online, wire::count));
};

/// `online` (docs/protocol.md): a channel's count of distinct online names, sent in big
/// channels instead of a `presence` frame per name.
struct online_notice {
    std::string channel;
    int online = 0;

    static constexpr auto schema =
        wire::message("online", wire::required("channel", &online_notice::channel, wire::string),
                      wire::required("online", &online_notice::online, wire::count));
};

/// `typing` relayed to the channel's others.
struct typing_notice {
    std::string channel;
    std::string user;

    static constexpr auto schema =
        wire::message("typing", wire::required("channel", &typing_notice::channel, wire::string),
                      wire::required("user", &typing_notice::user, wire::string));
};

/// `edited`: a message's new text.
struct edited_notice {
    message_id id = 0;
    std::string channel;
    std::string text;
    unix_ms edited_at = 0;

    static constexpr auto schema =
        wire::message("edited", wire::required("id", &edited_notice::id, wire::id),
                      wire::required("channel", &edited_notice::channel, wire::string),
                      wire::required("text", &edited_notice::text, wire::string),
                      wire::required("edited_at", &edited_notice::edited_at, wire::time));
};

/// `deleted`: a message is gone.
struct deleted_notice {
    message_id id = 0;
    std::string channel;

    static constexpr auto schema =
        wire::message("deleted", wire::required("id", &deleted_notice::id, wire::id),
                      wire::required("channel", &deleted_notice::channel, wire::string));
};

/// `left` (docs/protocol.md): the connection is no longer in a channel, because it asked
/// (`leave`) or an admin kicked it (`reason:"kicked"`).
struct left_notice {
    std::string channel;
    std::optional<std::string> reason;

    static constexpr auto schema =
        wire::message("left", wire::required("channel", &left_notice::channel, wire::string),
                      wire::optional("reason", &left_notice::reason, wire::string));
};

/// `error`: a request failed; `ref` is the failed request's nonce.
struct error_notice {
    error_code code = error_code::server_error;
    std::string message;
    std::optional<std::string> ref;

    static constexpr auto schema =
        wire::message("error", wire::required("code", &error_notice::code, wire::error_code_name),
                      wire::defaulted("message", &error_notice::message, wire::string),
                      wire::optional("ref", &error_notice::ref, wire::string));
};

using server_message = std::variant<connection_info, heartbeat_notice, identity_result, chat_message,
                                    joined_notice, history_page, channel_list, presence_notice, typing_notice,
                                    edited_notice, deleted_notice, left_notice, error_notice, online_notice>;

}  // namespace parley
