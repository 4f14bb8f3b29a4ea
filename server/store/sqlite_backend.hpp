#pragma once
// The SQLite side of the message store: every SQL statement Parley runs lives here.

#include <chrono>
#include <filesystem>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/batch_backend.hpp"
#include "store/sqlite_handle.hpp"

namespace parley::server {

/// Tunables of the SQLite backend.
struct sqlite_backend_options {
    sync_mode sync = sync_mode::normal;
    /// Nonces are kept 24 h; pruning every 10 min keeps at most 1% extra rows without a
    /// delete per message.
    std::chrono::milliseconds nonce_prune_interval = std::chrono::minutes(10);
    /// Messages older than this many milliseconds are pruned by maintain(); 0 keeps them
    /// all. The server sets it from --retention-days.
    std::int64_t retention_ms = 0;
    /// Rows a channel keeps at most (deleted ones included: they still take a row); the
    /// oldest beyond it are pruned by maintain(). 0: no cap. The server sets it from
    /// --max-messages-per-channel.
    std::int64_t max_messages_per_channel = 0;
    /// Messages one maintain() step deletes at most: about a millisecond of work each
    /// 500, so a post waits for one such step at most.
    int prune_batch_rows = 500;
};

/// Messages, channels and nonces in `<data_dir>/parley.sqlite3`, with statements
/// prepared once. Created on any thread, then used only by the storage thread.
class sqlite_backend final : public batch_backend {
public:
    /// The database file's name inside the data directory.
    static constexpr const char* file_name = "parley.sqlite3";

    /// Creates `data_dir` if missing, opens or creates the database, migrates the schema
    /// and prunes stale nonces. Null with `error` set (naming the path) when any step fails.
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
    bool wants_maintenance() const override { return !cap_pending_.empty(); }

    /// Only open() can make the tag, so only open() constructs (through make_unique).
    class open_tag {
        friend class sqlite_backend;
        open_tag() = default;
    };
    sqlite_backend(open_tag, std::unique_ptr<sqlite::connection> db, const sqlite_backend_options& options);
    ~sqlite_backend() override;

private:
    struct stored_message {
        chat_message message;
        std::string owner;
        bool deleted = false;
    };
    enum class lookup { found, missing, failed };

    bool prepare_statements(std::string& error);
    bool load_state(std::string& error);
    bool prune_nonces(std::string& error);
    lookup find_message(message_id id, stored_message& out);
    std::string failure(const char* what) const;
    /// Deletes `ids` (with their nonces) in one transaction; false with `error` set.
    bool prune(const std::vector<std::pair<message_id, std::string>>& rows, std::string& error);
    maintenance_step prune_expired(unix_ms now);
    maintenance_step prune_over_cap();
    void count_post(const std::string& channel);

    std::unique_ptr<sqlite::connection> db_;
    sqlite_backend_options options_;

    sqlite::statement begin_, commit_, rollback_;
    sqlite::statement find_nonce_, save_nonce_, prune_nonces_;
    sqlite::statement insert_message_, find_message_, update_text_, mark_deleted_;
    sqlite::statement insert_channel_, list_channels_;
    sqlite::statement latest_, before_, after_;
    sqlite::statement oldest_, count_channel_, oldest_in_channel_, delete_message_, delete_nonces_of_, forget_channel_;

    // Channels known to be in the channels table, so a post inserts its channel only once.
    std::unordered_set<std::string> known_channels_;
    std::vector<std::string> channels_added_in_batch_;  // undone by rollback()
    // The store's clock for nonce expiry: the newest post timestamp seen (set by callers).
    unix_ms newest_timestamp_ = 0;
    std::chrono::steady_clock::time_point last_prune_{};
    // Per-channel cap: rows per channel where known (counted lazily, one channel per
    // step, so opening a big database costs nothing up front), and the channels whose
    // count is unknown or over the cap.
    std::unordered_map<std::string, std::int64_t> channel_rows_;
    std::set<std::string> cap_pending_;
    std::vector<std::string> posted_in_batch_;  // their counts are unknown after a rollback
};

}  // namespace parley::server
