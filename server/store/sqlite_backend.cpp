#include "store/sqlite_backend.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <system_error>
#include <utility>

#include "store/sqlite_schema.hpp"

namespace parley::server {

std::unique_ptr<sqlite_backend> sqlite_backend::open(const std::filesystem::path& data_dir,
                                                     const sqlite_backend_options& options,
                                                     std::string& error) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
        error = "cannot create data directory " + data_dir.string() + ": " + ec.message();
        return nullptr;
    }
    if (!std::filesystem::is_directory(data_dir, ec)) {
        error = "data directory " + data_dir.string() + " is not a directory";
        return nullptr;
    }
    const auto file = data_dir / file_name;
    auto db = sqlite::connection::open(file, error);
    if (!db) return nullptr;
    std::string step_error;
    if (!sqlite::configure(*db, options.sync, step_error) || !sqlite::migrate(*db, step_error)) {
        error = file.string() + ": " + step_error;
        return nullptr;
    }
    auto backend = std::make_unique<sqlite_backend>(open_tag{}, std::move(db), options);
    if (!backend->prepare_statements(step_error) || !backend->load_state(step_error) ||
        !backend->start_checkpoints(file, step_error)) {
        error = file.string() + ": " + step_error;
        return nullptr;
    }
    return backend;
}

sqlite_backend::sqlite_backend(open_tag, std::unique_ptr<sqlite::connection> db,
                               const sqlite_backend_options& options)
    : db_(std::move(db)), options_(options) {}

// Closing the connection rolls back an open transaction; statements are finalized before
// the connection closes (members die in reverse order, db_ last).
sqlite_backend::~sqlite_backend() = default;

bool sqlite_backend::prepare_statements(std::string& error) {
    // Deleted rows are left out by `deleted = 0`, which also lets SQLite use the partial
    // index messages_live_by_channel. One extra row is read to learn `has_more`.
    constexpr const char* history_columns =
        "SELECT id, user_name, body, posted_at, edited_at, seq FROM messages ";
    const std::string latest_sql =
        std::string(history_columns) + "WHERE channel = ?1 AND deleted = 0 ORDER BY id DESC LIMIT ?2";
    const std::string before_sql = std::string(history_columns) +
                                   "WHERE channel = ?1 AND deleted = 0 AND id < ?2 ORDER BY id DESC LIMIT ?3";
    const std::string after_sql = std::string(history_columns) +
                                  "WHERE channel = ?1 AND deleted = 0 AND id > ?2 ORDER BY id ASC LIMIT ?3";

    const std::pair<sqlite::statement*, const char*> all[] = {
        {&begin_, "BEGIN IMMEDIATE"},
        {&commit_, "COMMIT"},
        {&rollback_, "ROLLBACK"},
        // A resend: one seek in the partial index messages_by_nonce (`nonce = ?3` implies
        // its `nonce IS NOT NULL`).
        {&find_nonce_, "SELECT id, posted_at FROM messages WHERE resend_scope = ?1 AND channel = ?2 AND nonce = ?3"},
        {&forget_nonce_, "UPDATE messages SET resend_scope = NULL, nonce = NULL WHERE id = ?1"},
        {&insert_message_,
         "INSERT INTO messages (channel, user_name, body, posted_at, owner, seq, resend_scope, nonce) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
        {&find_message_,
         "SELECT channel, user_name, body, posted_at, edited_at, owner, deleted, seq FROM messages WHERE id "
         "= ?1"},
        // A channel's last stream position: its newest row's (positions grow with ids, and
        // messages_by_channel makes it one seek), or where it stood when pruning emptied it.
        {&last_seq_of_,
         "SELECT max(coalesce((SELECT seq FROM messages WHERE channel = ?1 ORDER BY id DESC LIMIT 1), 0), "
         "coalesce((SELECT last_seq FROM channel_positions WHERE channel = ?1), 0))"},
        {&save_position_, "INSERT OR REPLACE INTO channel_positions (channel, last_seq) VALUES (?1, ?2)"},
        {&update_text_, "UPDATE messages SET body = ?2, edited_at = ?3 WHERE id = ?1"},
        // The text goes with the deletion: a resend of the nonce answers the deletion only.
        {&mark_deleted_, "UPDATE messages SET deleted = 1, body = '' WHERE id = ?1"},
        {&insert_channel_, "INSERT OR IGNORE INTO channels (name) VALUES (?1)"},
        {&list_channels_, "SELECT name FROM channels ORDER BY name"},
        {&latest_, latest_sql.c_str()},
        {&before_, before_sql.c_str()},
        {&after_, after_sql.c_str()},
        // Retention walks ids from the oldest: ids grow with the server's clock, so the
        // walk stops at the first message young enough (no index on the time needed).
        {&oldest_, "SELECT id, channel, seq, posted_at FROM messages ORDER BY id LIMIT ?1"},
        {&count_channel_, "SELECT count(*) FROM messages WHERE channel = ?1"},
        // A channel whose last row was pruned is forgotten: it leaves the channel list and
        // stops counting toward the server's channel cap.
        {&forget_channel_,
         "DELETE FROM channels WHERE name = ?1 AND NOT EXISTS (SELECT 1 FROM messages WHERE channel = ?1) "
         "RETURNING name"},
        {&oldest_in_channel_, "SELECT id, seq FROM messages WHERE channel = ?1 ORDER BY id LIMIT ?2"},
        {&delete_message_, "DELETE FROM messages WHERE id = ?1"},
        // Expired nonces: ids from the watermark on, oldest first, until one young enough.
        {&nonce_walk_, "SELECT id, posted_at FROM messages WHERE id >= ?1 ORDER BY id LIMIT ?2"},
        {&forget_nonces_,
         "UPDATE messages SET resend_scope = NULL, nonce = NULL WHERE id >= ?1 AND id <= ?2 AND nonce IS NOT NULL"},
        {&load_state_, "SELECT value FROM store_state WHERE key = ?1"},
        {&save_state_, "INSERT OR REPLACE INTO store_state (key, value) VALUES (?1, ?2)"},
    };
    for (const auto& [stmt, sql] : all)
        if (!stmt->prepare(*db_, sql, error)) return false;
    return true;
}

bool sqlite_backend::start_checkpoints(const std::filesystem::path& file, std::string& error) {
    checkpointer_ = sqlite::checkpointer::start(file, error);
    if (!checkpointer_) return false;
    // Replaces SQLite's automatic checkpoint (wal_autocheckpoint is itself a WAL hook).
    sqlite3_wal_hook(db_->get(), &sqlite_backend::after_commit, this);
    return true;
}

int sqlite_backend::after_commit(void* self, sqlite3*, const char*, int pages) {
    auto& backend = *static_cast<sqlite_backend*>(self);
    const auto& policy = backend.options_.checkpoints;
    // A WAL smaller than at the last commit has restarted from its start.
    if (pages < backend.wal_pages_) backend.next_checkpoint_at_ = 0;
    backend.wal_pages_ = pages;
    if (pages >= policy.inline_pages) {
        // The background checkpoints fell behind an unbroken stream of commits. Not here:
        // a commit may run on an event loop (turn_end_commit), and this checkpoint takes
        // milliseconds with its fsyncs. The storage thread runs it between batches.
        backend.wal_restart_due_ = true;
    } else if (pages >= std::max(policy.background_pages, backend.next_checkpoint_at_)) {
        // One request per background_pages of new frames: each checkpoint then writes
        // about as many pages as SQLite's own would, instead of a page many times over.
        backend.next_checkpoint_at_ = pages + policy.background_pages;
        backend.checkpointer_->request();
    }
    return SQLITE_OK;
}

void sqlite_backend::restart_wal_if_due() {
    if (!wal_restart_due_) return;
    // With no batch beside it (the caller holds the store's committer), this checkpoint
    // backfills everything, so the next write restarts the WAL from its start. BUSY (the
    // background one is running): tried again at the next upkeep.
    const int rc = sqlite3_wal_checkpoint_v2(db_->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK) return;
    ++inline_checkpoints_;
    wal_restart_due_ = false;
}

bool sqlite_backend::load_state(std::string& error) {
    {
        sqlite::reset_on_exit guard(list_channels_);
        int rc;
        while ((rc = list_channels_.step()) == SQLITE_ROW)
            known_channels_.insert(list_channels_.column_text(0));
        if (rc != SQLITE_DONE) {
            error = failure("reading channels");
            return false;
        }
    }
    // A one-row, one-column integer read; `out` keeps its value when there is no row.
    auto read_integer = [this, &error](sqlite::statement& s, std::int64_t& out, const char* what) {
        const int rc = s.step();
        if (rc == SQLITE_ROW) out = s.column_int64(0);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) return true;
        error = failure(what);
        return false;
    };
    // The newest message's time restarts the nonce clock; the newest id is the newest.
    sqlite::statement newest;
    if (!newest.prepare(*db_, "SELECT posted_at FROM messages ORDER BY id DESC LIMIT 1", error) ||
        !read_integer(newest, newest_timestamp_, "reading the newest message"))
        return false;
    // Where the walk that clears expired nonces stopped (sqlite_upkeep.cpp).
    sqlite::reset_on_exit guard(load_state_);
    load_state_.bind(1, std::string_view(nonces_cleared_key));  // a literal: SQLITE_STATIC is safe
    if (!read_integer(load_state_, nonces_cleared_below_, "reading the store's state")) return false;
    // Every channel's count is unknown until maintain() counts it.
    if (options_.max_messages_per_channel > 0) cap_pending_.insert(known_channels_.begin(), known_channels_.end());
    return true;
}

std::string sqlite_backend::failure(const char* what) const {
    return std::string("storage error ") + what + ": " + db_->last_error();
}

bool sqlite_backend::begin(std::string& error) {
    sqlite::reset_on_exit guard(begin_);
    if (begin_.run()) return true;
    error = failure("starting a transaction");
    return false;
}

bool sqlite_backend::commit(std::string& error) {
    sqlite::reset_on_exit guard(commit_);
    if (!commit_.run()) {
        error = failure("committing");
        return false;
    }
    channels_added_in_batch_.clear();
    posted_in_batch_.clear();
    return true;
}

void sqlite_backend::rollback() {
    // SQLite may already have rolled back by itself (e.g. on SQLITE_FULL).
    if (db_->in_transaction()) {
        sqlite::reset_on_exit guard(rollback_);
        rollback_.run();
    }
    for (const auto& name : channels_added_in_batch_) known_channels_.erase(name);
    channels_added_in_batch_.clear();
    // The counts and stream positions included posts that are gone now: read those
    // channels' again when next needed, so the positions stay dense.
    for (const auto& name : posted_in_batch_) {
        last_seq_.erase(name);
        channel_rows_.erase(name);
        if (options_.max_messages_per_channel > 0) cap_pending_.insert(name);
    }
    posted_in_batch_.clear();
}

channels_result sqlite_backend::channels() {
    sqlite::reset_on_exit guard(list_channels_);
    channels_result r;
    int rc;
    while ((rc = list_channels_.step()) == SQLITE_ROW) r.names.push_back(list_channels_.column_text(0));
    if (rc != SQLITE_DONE) return failed_result<channels_result>(failure("listing channels"));
    r.outcome = store_outcome::ok;
    return r;
}

}  // namespace parley::server
