#pragma once
// The PostgreSQL side of the message store: every SQL statement Parley runs against
// PostgreSQL lives here and in postgres_upkeep.cpp.
//
// Several servers may share the database. What keeps them consistent lives in the
// database, not in this object. A write batch locks the rows of the channels it posts to
// first, all in one statement in name order, and holds them to its commit: a post's nonce
// lookup runs after that lock, so a resend on another server finds the first, and within a
// channel ids rise in commit order. The event stream's head is locked last, by the
// statement that appends the batch's events (one per post, edit and delete) at the next
// dense positions, pipelined with the COMMIT: batches from every server take turns there
// for one round trip only (docs/architecture/stream.md). An edit or delete, and a read
// after the batch's own writes, take the head's lock at once instead (after the channels'),
// as upkeep does: every transaction locks channels, then the head, then messages, so none
// waits on another in a circle. What is cached here is only ever a hint (the per-channel
// counts of upkeep), checked against the database before it is acted on.

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/batch_backend.hpp"
#include "store/postgres_handle.hpp"
#include "store/postgres_store.hpp"

namespace parley::server {

/// Messages (with their nonces) and channels in PostgreSQL, with statements prepared once.
/// Created on any thread, then used only by the storage thread.
class postgres_backend final : public batch_backend {
public:
    /// Connects, migrates the schema and prepares the statements. Null with `error` set
    /// (one line) when any step fails.
    static std::unique_ptr<postgres_backend> open(const postgres_backend_options& options, std::string& error);

    bool begin(std::string& error) override;
    void will_post_to(std::vector<std::string> channels) override;
    bool commit(std::string& error) override;
    stream_position committed_base() const override { return committed_base_; }
    void rollback() override;

    post_result post(const new_message& message) override;
    std::vector<post_result> post_all(const std::vector<const new_message*>& messages) override;
    history_result history(const history_query& query) override;
    change_result change(const message_change& request) override;
    channels_result channels() override;
    maintenance_step maintain(unix_ms now) override;
    bool wants_maintenance() const override { return !cap_pending_.empty(); }
    bool probe(std::string& error) override;

    class open_tag {
        friend class postgres_backend;
        open_tag() = default;
    };
    postgres_backend(open_tag, std::unique_ptr<pg::connection> db, const postgres_backend_options& options);

private:
    struct stored_message {
        chat_message message;
        std::string owner;
        bool deleted = false;
    };
    enum class lookup { found, missing, failed };
    /// A row chosen for pruning.
    struct pruned_row {
        message_id id = 0;
        std::string channel;
    };

    bool prepare_statements(std::string& error);
    bool prepare_upkeep_statements(std::string& error);  // postgres_upkeep.cpp
    bool load_state(std::string& error);
    /// `for_change`: the row stays locked until the batch commits (an edit racing a
    /// delete on another server then sees the delete).
    lookup find_message(message_id id, bool for_change, stored_message& out, std::string& error);
    std::string failure(const char* what, const pg::result& r) const;
    /// Takes the stream head's lock for this batch (once), after the locks of the channels
    /// the batch will post to: false with `error` set. The head's position is then known.
    bool lock_stream(std::string& error);
    /// The channels among `channels` and those the batch will post to whose rows it has not
    /// locked yet, sorted.
    std::vector<std::string> channels_to_lock(const std::vector<std::string>& channels) const;
    /// Takes in the answer `r` of the statement locking `channels`: false with `error` set
    /// when it failed.
    bool took_channel_locks(const pg::result& r, const std::vector<std::string>& channels, std::string& error);
    /// Takes in the lock_stream statement's answer `r`: false with `error` set when it failed.
    bool took_stream_lock(const pg::result& r, std::string& error);
    /// Records the event of a write and returns its place in the batch (1, 2, ...); the
    /// commit places the batch in the stream (committed_base).
    stream_position append_event(const std::string& channel, std::string payload, const std::string& session);
    /// Forgets the transaction's locks and events: it committed or rolled back.
    void end_transaction();
    /// The statement that locks the stream's head, writes the batch's events after it and
    /// wakes the other servers' readers (at commit), answering where the events start; it
    /// moves the payloads out of events_.
    pg::statement events_statement();
    maintenance_step prune_old_events(unix_ms now);
    /// Deletes `rows` in one transaction and unlists the channels they emptied; false with
    /// `error` set.
    bool prune(const std::vector<pruned_row>& rows, std::string& error);
    /// Starts an upkeep transaction if no other server is running upkeep right now:
    /// true and `mine` when this one should go on, true and !mine when another has it.
    bool begin_upkeep(bool& mine, std::string& error);
    maintenance_step prune_expired(unix_ms now);
    maintenance_step clear_expired_nonces();
    maintenance_step prune_over_cap();
    void count_post(const std::string& channel);
    static std::vector<pg::param> post_params(const new_message& message);
    /// Posts messages[start...] (at most max_pipelined_posts) in one round trip, appending
    /// one result each to `results`; false after a failure, whose result ends `results`.
    bool post_run(const std::vector<const new_message*>& messages, std::size_t start,
                  std::vector<post_result>& results);
    /// A post's outcome from its post_message answer: new, a duplicate of the message that
    /// holds its nonce, or (when that nonce expired) posted again with the nonce taken over.
    post_result finish_post(const new_message& message, pg::result stored);

    /// Posts sent in one pipeline at most: bounds the memory of one round trip's answers.
    static constexpr std::size_t max_pipelined_posts = 64;

    std::unique_ptr<pg::connection> db_;
    postgres_backend_options options_;

    // The newest post's time, this server's or any other's at start-up: the clock of
    // nonce expiry, as in sqlite_backend.
    unix_ms newest_timestamp_ = 0;
    // Per-channel cap: rows per channel where counted, and the channels to look at. A
    // hint only: other servers post too, so a channel is counted again before pruning.
    std::unordered_map<std::string, std::int64_t> channel_rows_;
    std::set<std::string> cap_pending_;
    std::vector<std::string> posted_in_batch_;

    // The batch's hold on the database: the channels it will post to and those it locked,
    // whether it holds the stream head's lock (and the head then), and its events (written
    // at commit, or placed after head_ when the head is locked already).
    struct pending_event {
        std::string channel;
        std::string payload;
        std::string session;
    };
    std::string events_channel_;  ///< where a commit's wake-up goes (pg::notification_prefix)
    std::vector<std::string> will_post_to_;
    std::set<std::string> locked_channels_;
    bool stream_locked_ = false;
    stream_position head_ = 0;
    std::vector<pending_event> events_;
    stream_position committed_base_ = 0;
};

}  // namespace parley::server
