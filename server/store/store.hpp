#pragma once
// The message store: what the chat logic asks of storage, independent of the database.
//
// Threading: every call is thread-safe and non-blocking. A call enqueues its operation
// and returns; a storage thread owned by the implementation runs the operations in the
// order they were enqueued, in batches (group commit), and runs each completion callback
// on that storage thread, after the batch holding the operation has committed, in
// commit order. A callback should only hand its result onward (post it to the caller's
// executor); it must not throw, block for long, or call flush_and_stop(). Calls made
// from a callback are fine: they go into a later batch.
//
// A call refused at once (the queue is full, or the store has stopped) runs its
// callback with a failure on the calling thread before returning.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parley/core/limits.hpp"
#include "parley/core/messages.hpp"

namespace parley::server {

/// How hard a commit holds on. `normal`: an acknowledged message survives a crash of
/// the server process; `full`: it also survives power loss (an fsync per commit).
enum class sync_mode { normal, full };

/// A message to store. `owner` decides who may edit or delete it later:
/// "a:<account id>" (ids are never reused) or "g:<connection session id>"; "" is nobody
/// (a removed account's). `resend_scope` with `channel` and `nonce` recognises a resend:
/// "a:<account id>" or "g:<folded guest name>" (PROTOCOL.md, Nonces).
struct new_message {
    std::string channel;
    std::string user;  ///< display name, stored and broadcast as is
    std::string text;
    unix_ms timestamp = 0;  ///< set by the caller
    std::string owner;
    std::optional<std::string> nonce;
    std::string resend_scope;
    std::string session;  ///< the sending connection's session id: its own copy of the broadcast is skipped
};

/// A position in the event stream that servers sharing a database read in order
/// (docs/architecture/stream.md): every committed post, edit and delete has one, dense and
/// rising in commit order across servers. 0 where there is no stream (SQLite: one server).
using stream_position = std::int64_t;

/// What became of a store operation; every result carries one (no `bool ok` anywhere).
enum class store_outcome {
    ok,         ///< done and committed (a read: read)
    duplicate,  ///< post only: a resend; the result holds the earlier message of the same scope, channel,
                ///< nonce
    not_found,  ///< change only: no such message, or it was deleted
    forbidden,  ///< change only: the requester is neither the owner nor an admin
    failed,     ///< a storage error (or overloaded / stopped); `error` says why
};

/// The part every result shares. Defaults to failed, so a result is failed until an
/// implementation says otherwise.
struct store_status {
    store_outcome outcome = store_outcome::failed;
    std::string error;  ///< failed only
    bool ok() const { return outcome == store_outcome::ok; }
    bool failed() const { return outcome == store_outcome::failed; }
};

/// The answer to post(). `message.nonce` is never set by the store: the caller adds it
/// to the sender's echo.
struct post_result : store_status {
    chat_message message;  ///< ok: the new message (id, seq set); duplicate: the earlier one, as it is now
    bool deleted = false;  ///< duplicate only: the earlier message has since been deleted
    stream_position position = 0;  ///< ok only: the new message's event
};

/// Which page of a channel history() returns.
enum class history_direction {
    latest,  ///< the newest `limit` messages
    before,  ///< the newest `limit` messages with id < `anchor`
    after,   ///< the oldest `limit` messages with id > `anchor` (`anchor` 0: from the first)
};

/// A history request. `limit` is clamped to 1..limits::max_history_limit.
struct history_query {
    std::string channel;
    history_direction direction = history_direction::latest;
    message_id anchor = 0;
    int limit = limits::default_history_limit;

    static history_query latest(std::string channel, int limit) {
        return {std::move(channel), history_direction::latest, 0, limit};
    }
    static history_query before(std::string channel, message_id id, int limit) {
        return {std::move(channel), history_direction::before, id, limit};
    }
    static history_query after(std::string channel, message_id id, int limit) {
        return {std::move(channel), history_direction::after, id, limit};
    }
};

/// The answer to history(): live messages oldest first (deleted ones left out, edited
/// ones with their current text and `edited_at`), each with its seq; `has_more` in the
/// direction asked.
struct history_result : store_status {
    std::vector<chat_message> messages;
    bool has_more = false;
    /// The stream's position as the read saw it: the events up to it are in `messages` (or
    /// not, if they are outside the page), the later ones are not.
    stream_position position = 0;
};

/// An edit or a delete: one request type, one path through store, backend and hub.
/// `requester` is an owner key as in new_message.
struct message_change {
    enum class kind { edit, remove };
    kind what = kind::edit;
    message_id id = 0;
    std::string text;       ///< edit only
    std::string requester;  ///< owner key as in new_message
    bool is_admin = false;  ///< admins may change anyone's message
    unix_ms at = 0;         ///< edit only: edited_at, set by the caller
};

/// The answer to change().
struct change_result : store_status {
    message_change::kind what = message_change::kind::edit;
    message_id id = 0;
    std::string channel;    ///< ok and forbidden (the audit log names it)
    std::string text;       ///< ok edit: the new text
    unix_ms edited_at = 0;  ///< ok edit
    stream_position position = 0;  ///< ok only: the notice's event
    /// ok only: the notice to broadcast (`edited` or `deleted`).
    server_message notice() const {
        if (what == message_change::kind::edit) return edited_notice{id, channel, text, edited_at};
        return deleted_notice{id, channel};
    }
};

/// The answer to channels(): every channel that ever had a message.
struct channels_result : store_status {
    std::vector<std::string> names;  ///< sorted
};

/// Messages, channels and nonces, behind one interface (SQLite now, PostgreSQL later).
/// Owned by the server; any thread may call any member (see the top of this file).
/// Implementations call flush_and_stop() from their destructor.
class message_store {
public:
    using post_callback = std::function<void(post_result)>;
    using history_callback = std::function<void(history_result)>;
    using change_callback = std::function<void(change_result)>;
    using channels_callback = std::function<void(channels_result)>;

    message_store() = default;
    message_store(const message_store&) = delete;
    message_store& operator=(const message_store&) = delete;
    virtual ~message_store() = default;

    /// Stores a message, or finds the earlier one when it is a resend (same
    /// resend_scope, channel and nonce within limits::nonce_memory_ms).
    virtual void post(new_message message, post_callback done) = 0;
    /// Reads a page of a channel; sees every write enqueued before it.
    virtual void history(history_query query, history_callback done) = 0;
    /// Edits or deletes a message if the requester owns it or is an admin.
    virtual void change(message_change request, change_callback done) = 0;
    /// Lists the channels that have messages; sees every write enqueued before it.
    virtual void channels(channels_callback done) = 0;
    /// Runs and commits everything already queued, then closes the database; later calls
    /// fail at once. Blocks until done. Safe to call twice; never from a callback.
    virtual void flush_and_stop() = 0;
};

}  // namespace parley::server
