#pragma once
// The database side of a message store: synchronous operations that batching_store runs
// on its storage thread, grouped into one transaction per batch. Each database (SQLite,
// later PostgreSQL) implements this; the queue, thread and group commit are shared.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace parley::server {

/// A result of type `Result` (a store_status) that failed with `error`: the one way
/// every layer makes a failure.
template <class Result>
Result failed_result(std::string error) {
    Result r{};
    r.outcome = store_outcome::failed;
    r.error = std::move(error);
    return r;
}

/// What upkeep keeps in bounds, whatever the database. The server sets it from
/// --retention-days and --max-messages-per-channel.
struct upkeep_policy {
    /// Messages older than this many milliseconds are pruned by maintain(); 0 keeps them all.
    std::int64_t retention_ms = 0;
    /// Rows a channel keeps at most (deleted ones included: they still take a row); the
    /// oldest beyond it are pruned by maintain(). 0: no cap.
    std::int64_t max_messages_per_channel = 0;
    /// Messages one maintain() step deletes, and rows whose expired nonces it clears, at
    /// most: about a millisecond of work each 500, so a post waits a few ms at most.
    int prune_batch_rows = 500;
};

/// What one step of background upkeep (retention, per-channel caps) did.
/// ok unless a storage error stopped it (`error` says which).
struct maintenance_step : store_status {
    maintenance_step() { outcome = store_outcome::ok; }  // nothing to do is a success
    std::size_t pruned = 0;  ///< messages deleted by this step
    bool more = false;       ///< work is left: call again after a short pause
};

/// Upkeep's order, the same on every backend: retention, then expired nonces, then the
/// per-channel cap. A kind that failed or left work ends the step there, so a post waits
/// for two bounded operations (prune_batch_rows each) at most.
template <class Retention, class Nonces, class Cap>
maintenance_step upkeep_in_order(Retention retention, Nonces nonces, Cap cap) {
    maintenance_step step = retention();
    if (step.failed() || step.more) return step;
    maintenance_step cleared = nonces();
    cleared.pruned += step.pruned;
    if (cleared.failed() || cleared.more) return cleared;
    maintenance_step capped = cap();
    capped.pruned += step.pruned;
    return capped;
}

/// The answer to an edit or delete of a message that is missing or deleted (not_found), or
/// that `request`'s requester neither owns nor may change as an admin (forbidden, naming
/// the channel for the audit log); nullopt when the change may go ahead.
inline std::optional<change_result> refused_change(const message_change& request, bool exists, bool deleted,
                                                   const std::string& owner, const std::string& channel) {
    change_result r;
    r.what = request.what;
    r.id = request.id;
    if (!exists || deleted) {
        r.outcome = store_outcome::not_found;
        return r;
    }
    if (!request.is_admin && owner != request.requester) {
        r.outcome = store_outcome::forbidden;
        r.channel = channel;
        return r;
    }
    return std::nullopt;
}

/// The answer to `request` once its write went through, in `channel`.
inline change_result applied_change(const message_change& request, std::string channel) {
    change_result r;
    r.outcome = store_outcome::ok;
    r.what = request.what;
    r.id = request.id;
    r.channel = std::move(channel);
    if (request.what == message_change::kind::edit) {
        r.text = request.text;
        r.edited_at = request.at;
    }
    return r;
}

/// Synchronous storage operations. Owned by batching_store and called only from its
/// storage thread (after construction), so implementations need no locking.
/// A write runs only between begin() and commit(); reads may run in or out of one and
/// see the transaction's own writes. A result marked failed makes the whole batch fail:
/// batching_store rolls back and reports the error to every job in the batch.
class batch_backend {
public:
    batch_backend() = default;
    batch_backend(const batch_backend&) = delete;
    batch_backend& operator=(const batch_backend&) = delete;
    virtual ~batch_backend() = default;

    /// Starts the batch's write transaction; false with `error` set when it cannot.
    virtual bool begin(std::string& error) = 0;
    /// Says, right after begin(), every channel the batch will post to (sorted, each once).
    /// A database shared by several servers locks their rows together, in that order, before
    /// the first post: two servers' batches then never wait on each other in a circle,
    /// however their posts, edits and reads interleave. The default has nothing to lock.
    virtual void will_post_to(std::vector<std::string> channels) { (void)channels; }
    /// Commits durably (per the backend's sync mode); false with `error` set when it fails,
    /// in which case nothing of the batch is kept.
    virtual bool commit(std::string& error) = 0;
    /// Where the batch commit() last committed placed its events: a write result's
    /// `position` counts from it until then (the event is at committed_base() + position).
    /// A database shared by several servers places a batch's events only in its last round
    /// trip, so that the stream's lock is held for that alone; one that places them as it
    /// goes (or keeps no stream) answers 0.
    virtual stream_position committed_base() const { return 0; }
    /// Abandons the transaction begin() started, if one is open.
    virtual void rollback() = 0;

    virtual post_result post(const new_message& message) = 0;
    /// Consecutive posts of one batch, as if each were post()ed in turn (a database with
    /// round trips sends them together): one result each, in the same order, up to the
    /// first that failed, which ends the list (the batch fails anyway). The default posts
    /// one by one.
    virtual std::vector<post_result> post_all(const std::vector<const new_message*>& messages) {
        std::vector<post_result> results;
        results.reserve(messages.size());
        for (const new_message* m : messages) {
            results.push_back(post(*m));
            if (results.back().failed()) break;
        }
        return results;
    }
    virtual history_result history(const history_query& query) = 0;
    /// An edit or a delete: one lookup and permission check, then the kind's write.
    virtual change_result change(const message_change& request) = 0;
    virtual channels_result channels() = 0;

    /// One bounded step of upkeep at unix time `now`, in a transaction of its own, run by
    /// the storage thread between batches (so posts wait for one small step at most).
    /// The default has nothing to do.
    virtual maintenance_step maintain(unix_ms now) {
        (void)now;
        return {};
    }
    /// Checks that the database answers (connecting again if the connection was lost); run
    /// by the storage thread when idle, so that readiness (/readyz) is known without
    /// traffic. False with `error` set. The default (an embedded database) always answers.
    virtual bool probe(std::string& error) {
        (void)error;
        return true;
    }
    /// Whether upkeep is known to be waiting (a channel went over its cap): the storage
    /// thread then runs maintain() soon rather than at its next periodic check.
    virtual bool wants_maintenance() const { return false; }
};

}  // namespace parley::server
