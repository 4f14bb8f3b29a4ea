#pragma once
// The SQLite side of the message store: every SQL statement Parley runs lives here.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/batch_backend.hpp"
#include "store/sqlite_checkpointer.hpp"
#include "store/sqlite_handle.hpp"

namespace parley::server {

/// Tunables of the SQLite backend: the upkeep policy and SQLite's own.
struct sqlite_backend_options : upkeep_policy {
    sync_mode sync = sync_mode::normal;
    /// When WAL checkpoints run (off the commit path; see sqlite_checkpointer.hpp).
    sqlite::checkpoint_policy checkpoints{};
};

/// Messages (with their nonces) and channels in `<data_dir>/parley.sqlite3`, with
/// statements prepared once. Created on any thread, then used only by the storage thread.
class sqlite_backend final : public batch_backend {
public:
    /// The database file's name inside the data directory.
    static constexpr const char* file_name = "parley.sqlite3";

    /// Creates `data_dir` if missing, opens or creates the database and migrates the
    /// schema. Null with `error` set (naming the path) when any step fails.
    static std::unique_ptr<sqlite_backend> open(const std::filesystem::path& data_dir,
                                                const sqlite_backend_options& options, std::string& error);

    bool begin(std::string& error) override;
    bool commit(std::string& error) override;
    void rollback() override;

    post_result post(const new_message& message) override;
    history_result history(const history_query& query) override;
    change_result change(const message_change& request) override;
    channels_result channels() override;
    maintenance_step maintain(unix_ms now) override;
    bool wants_maintenance() const override { return wal_restart_due_ || !cap_pending_.empty(); }

    /// Only open() can make the tag, so only open() constructs (through make_unique).
    class open_tag {
        friend class sqlite_backend;
        open_tag() = default;
    };
    sqlite_backend(open_tag, std::unique_ptr<sqlite::connection> db, const sqlite_backend_options& options);
    ~sqlite_backend() override;

    /// The background checkpoint thread (tests watch it).
    sqlite::checkpointer& checkpoints() { return *checkpointer_; }
    /// Checkpoints the writer ran between batches because the WAL reached its bound (tests).
    std::uint64_t inline_checkpoints() const { return inline_checkpoints_; }

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
        std::int64_t seq = 0;
    };

    bool prepare_statements(std::string& error);
    /// Starts the checkpoint thread and routes the writer's commits to it.
    bool start_checkpoints(const std::filesystem::path& file, std::string& error);
    /// SQLite's WAL hook, after each commit of the writer: `pages` is the WAL's size.
    static int after_commit(void* self, sqlite3* db, const char* schema, int pages);
    /// In upkeep, between batches: the checkpoint after_commit() found due.
    void restart_wal_if_due();
    bool load_state(std::string& error);
    lookup find_message(message_id id, stored_message& out);
    /// The stream position the next post to `channel` gets; nullopt on a storage error.
    std::optional<std::int64_t> next_seq(const std::string& channel);
    std::string failure(const char* what) const;
    /// Deletes `ids` (their nonces go with their rows) in one transaction; false with
    /// `error` set.
    bool prune(const std::vector<pruned_row>& rows, std::string& error);
    /// Inside prune(): drops `channel` from the channel list if `rows` emptied it, keeping
    /// its last stream position, and adds it to `forgotten`; false on a storage error.
    bool forget_if_empty(const std::vector<pruned_row>& rows, const std::string& channel,
                         std::vector<std::string>& forgotten);
    maintenance_step prune_expired(unix_ms now);
    /// Clears the nonces older than limits::nonce_memory_ms before the newest post, one
    /// bounded step from the watermark on (a resend past that window is a new message
    /// anyway; this keeps their index small).
    maintenance_step clear_expired_nonces();
    maintenance_step prune_over_cap();
    void count_post(const std::string& channel);

    std::unique_ptr<sqlite::connection> db_;
    sqlite_backend_options options_;
    // Declared after db_: stopped and closed before the writer's connection, whose close
    // then checkpoints the rest and removes the WAL.
    std::unique_ptr<sqlite::checkpointer> checkpointer_;
    std::uint64_t inline_checkpoints_ = 0;
    int wal_pages_ = 0;           // the WAL's size after the last commit
    int next_checkpoint_at_ = 0;  // the WAL size at which to ask for the next checkpoint
    bool wal_restart_due_ = false;  // the WAL reached inline_pages: checkpoint in upkeep

    sqlite::statement begin_, commit_, rollback_;
    sqlite::statement find_nonce_, forget_nonce_, nonce_walk_, forget_nonces_;
    sqlite::statement load_state_, save_state_;
    sqlite::statement insert_message_, find_message_, update_text_, mark_deleted_;
    sqlite::statement last_seq_of_, save_position_;
    sqlite::statement insert_channel_, list_channels_;
    sqlite::statement latest_, before_, after_;
    sqlite::statement oldest_, count_channel_, oldest_in_channel_, delete_message_, forget_channel_;

    // Channels known to be in the channels table, so a post inserts its channel only once.
    std::unordered_set<std::string> known_channels_;
    std::vector<std::string> channels_added_in_batch_;  // undone by rollback()
    // Every message below this id has no nonce older than the nonce window left: where
    // clear_expired_nonces() goes on (kept in store_state under nonces_cleared_key).
    static constexpr const char* nonces_cleared_key = "nonces_cleared_below";
    message_id nonces_cleared_below_ = 0;
    // The store's clock for nonce expiry: the newest post's timestamp (the server's clock
    // when it was posted), so that expiry needs no clock of its own.
    unix_ms newest_timestamp_ = 0;
    // Per-channel cap: rows per channel where known (counted lazily, one channel per
    // step, so opening a big database costs nothing up front), and the channels whose
    // count is unknown or over the cap.
    std::unordered_map<std::string, std::int64_t> channel_rows_;
    std::set<std::string> cap_pending_;
    // The last stream position handed out per channel, where known (read lazily, one
    // indexed seek per channel per run).
    std::unordered_map<std::string, std::int64_t> last_seq_;
    // Channels posted to in the open batch: after a rollback their counts and positions
    // are unknown and read again.
    std::vector<std::string> posted_in_batch_;
};

}  // namespace parley::server
