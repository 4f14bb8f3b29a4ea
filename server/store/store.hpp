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
};

/// What became of a post.
enum class post_outcome {
    stored,     ///< a new message, committed
    duplicate,  ///< a resend: the earlier message of the same scope, channel and nonce
    failed,     ///< not stored; `error` says why
};

/// The answer to post(). `message.nonce` is never set by the store: the caller adds it
/// to the sender's echo.
struct post_result {
    post_outcome outcome = post_outcome::failed;
    chat_message message;  ///< stored: the new message; duplicate: the earlier one, as it is now
    bool deleted = false;  ///< duplicate only: the earlier message has since been deleted
    std::string error;     ///< failed only
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
/// ones with their current text and `edited_at`); `has_more` in the direction asked.
struct history_result {
    bool ok = false;
    std::vector<chat_message> messages;
    bool has_more = false;
    std::string error;  ///< when !ok
};

/// A request to replace a message's text. `requester` is an owner key as in new_message.
struct message_edit {
    message_id id = 0;
    std::string text;
    std::string requester;
    bool is_admin = false;  ///< admins may edit anyone's message
    unix_ms edited_at = 0;  ///< set by the caller
};

/// A request to delete a message. `requester` is an owner key as in new_message.
struct message_removal {
    message_id id = 0;
    std::string requester;
    bool is_admin = false;  ///< admins may delete anyone's message
};

/// What became of an edit or a delete.
enum class change_outcome {
    ok,         ///< committed; the notice is filled in
    not_found,  ///< no such message, or it was deleted
    forbidden,  ///< the requester is neither the owner nor an admin
    failed,     ///< storage error; `error` says why
};

/// The answer to edit().
struct edit_result {
    change_outcome outcome = change_outcome::failed;
    edited_notice notice;  ///< when ok, with the message's channel; when forbidden, id and channel
    std::string error;     ///< when failed
};

/// The answer to remove().
struct remove_result {
    change_outcome outcome = change_outcome::failed;
    deleted_notice notice;  ///< when ok, with the message's channel; when forbidden, id and channel
    std::string error;      ///< when failed
};

/// The answer to channels(): every channel that ever had a message, sorted by name.
struct channels_result {
    bool ok = false;
    std::vector<std::string> names;
    std::string error;  ///< when !ok
};

/// Messages, channels and nonces, behind one interface (SQLite now, PostgreSQL later).
/// Owned by the server; any thread may call any member (see the top of this file).
/// Implementations call flush_and_stop() from their destructor.
class message_store {
public:
    using post_callback = std::function<void(post_result)>;
    using history_callback = std::function<void(history_result)>;
    using edit_callback = std::function<void(edit_result)>;
    using remove_callback = std::function<void(remove_result)>;
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
    /// Replaces a message's text if the requester owns it or is an admin.
    virtual void edit(message_edit change, edit_callback done) = 0;
    /// Deletes a message if the requester owns it or is an admin.
    virtual void remove(message_removal removal, remove_callback done) = 0;
    /// Lists the channels that have messages; sees every write enqueued before it.
    virtual void channels(channels_callback done) = 0;
    /// Runs and commits everything already queued, then closes the database; later calls
    /// fail at once. Blocks until done. Safe to call twice; never from a callback.
    virtual void flush_and_stop() = 0;
};

}  // namespace parley::server
