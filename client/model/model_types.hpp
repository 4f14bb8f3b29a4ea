#pragma once
// The values the UI reads from a chat_model: connection state, channels, messages,
// pending sends, presence, typing, errors. Plain data; the model owns every instance and
// the UI sees them through const references valid until the model's next change
// (tick(), handle() or a command).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/error_code.hpp"
#include "parley/core/messages.hpp"

namespace parley::client {

/// Where the connection is. The model moves between these; the UI only reads.
enum class connection_state : std::uint8_t {
    offline,       ///< start() not yet called: nothing happens
    connecting,    ///< a connection is being opened (TCP, TLS, WebSocket, `connection`)
    identifying,   ///< connected; the name was claimed and the answer is awaited
                   ///< (including the brief retries of a `taken` own name)
    ready,         ///< connected; posting works if user_name() is set, else read-only
    reconnecting,  ///< the link is down; waiting out the backoff before the next attempt
    stopped,       ///< stop() was called: no reconnect until start()
};

/// The wire-independent name of a state, for status lines ("reconnecting").
std::string_view to_string(connection_state state);

/// Why the wanted name is not held. Shown to the user; the model never picks another name.
enum class identity_problem : std::uint8_t {
    none,
    taken,               ///< still taken after the retry window
    invalid,             ///< breaks ^[A-Za-z0-9_.-]{1,32}$
    already_identified,  ///< the server kept an earlier name for this connection
};

/// One delivered message, as the UI draws it. Compact: a channel of 100,000 costs about
/// 100 bytes each plus text.
struct message_entry {
    message_id id = 0;
    unix_ms timestamp = 0;
    unix_ms edited_at = 0;  ///< 0 when never edited
    std::string user;
    std::string text;
    bool mine = false;  ///< posted by this client (its echo carried one of our nonces)
};

/// An own message not yet confirmed by its echo. Shown after the channel's messages,
/// marked pending; the echo replaces it, so each message is shown once.
struct pending_message {
    enum class state : std::uint8_t {
        queued,  ///< not sent on the current connection yet (offline, or not identified)
        sent,    ///< sent; awaiting the echo with its nonce
        failed,  ///< the server refused it (`failure` says why); retry_message() or discard_message()
    };
    std::string nonce;  ///< kept across reconnects: the server de-duplicates a resend
    std::string channel;
    std::string text;
    unix_ms created_ms = 0;
    state status = state::queued;
    std::string failure;  ///< the server's message for a failed send
};

/// A name that is typing in a channel, and until when it is shown.
struct typing_entry {
    std::string user;
    unix_ms until_ms = 0;
};

/// One joined channel, as the UI draws it.
struct channel_state {
    std::string name;
    bool joined = false;  ///< false until the server's `joined` (and again while reconnecting)
    /// Why the server refused the last join ("another connection in #x holds the name
    /// ann"), shown instead of "Joining…"; empty while joined or joining. join_channel()
    /// asks again.
    std::string join_failure;
    std::vector<message_entry> messages;  ///< delivered, by id ascending, no duplicates
    std::vector<pending_message> pending;  ///< own unconfirmed messages, oldest first
    std::vector<std::string> users;        ///< online names, sorted
    int online = 0;                        ///< the server's count of online names
    std::vector<typing_entry> typing;      ///< others typing now (expired ones are dropped by tick())
    int unread = 0;                        ///< messages that arrived while another channel was active
    bool has_more_before = false;          ///< older messages exist: load_older() can fetch them
    bool loading_older = false;            ///< a load_older() request is outstanding
    bool resuming = false;                 ///< paging forward after a reconnect, or over a gap
    /// The newest `seq` (the channel's stream position) seen live or on a page going
    /// forward; 0 while unknown. A live message more than one above it means some were
    /// missed: the gap is paged in with `after` (docs/protocol.md, Stream positions).
    std::int64_t newest_seq = 0;
};

/// Where an error entry came from.
enum class error_source : std::uint8_t {
    server,  ///< an `error` frame
    client,  ///< refused before sending (too long, invalid, not connected, queue full)
    link,    ///< the transport reported a failure or an unexpected close
};

/// "server", "client", "link": for logs and the state probe.
std::string_view to_string(error_source source);

/// One problem to show the user ("slow down", "text is over 4,000 characters").
struct error_entry {
    error_source source = error_source::server;
    std::optional<error_code> code;  ///< the protocol code, when one applies
    std::string message;             ///< human-readable text
    std::optional<std::string> ref;  ///< the nonce of the request it answers
    unix_ms at_ms = 0;
};

/// What post_message() did.
enum class post_result : std::uint8_t {
    sent,        ///< sent now; shown as pending until its echo
    queued,      ///< kept (shown pending) and sent once connected and identified
    too_long,    ///< over 4,000 code points: refused, not kept (an error entry says so)
    invalid,     ///< not valid UTF-8, blank, or with control characters: refused
    no_channel,  ///< the channel is not joined
    queue_full,  ///< too many messages pending: refused
    not_connected,  ///< (edits) no connection that can post right now: refused
};

/// "ann is typing…", "ann and bob are typing…", "3 people are typing…", or "" for none.
std::string describe_typing(const std::vector<typing_entry>& typing);

}  // namespace parley::client
