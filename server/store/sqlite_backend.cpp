#include "store/sqlite_backend.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <system_error>
#include <utility>

#include "parley/core/limits.hpp"
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
    if (!backend->prepare_statements(step_error) || !backend->load_state(step_error)) {
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
    constexpr const char* history_columns = "SELECT id, user_name, body, posted_at, edited_at FROM messages ";
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
        {&find_nonce_,
         "SELECT message_id, created_at FROM nonces WHERE scope = ?1 AND channel = ?2 AND nonce = ?3"},
        {&save_nonce_,
         "INSERT OR REPLACE INTO nonces (scope, channel, nonce, message_id, created_at) "
         "VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&prune_nonces_, "DELETE FROM nonces WHERE created_at < ?1"},
        {&insert_message_,
         "INSERT INTO messages (channel, user_name, body, posted_at, owner) VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&find_message_,
         "SELECT channel, user_name, body, posted_at, edited_at, owner, deleted FROM messages WHERE id = ?1"},
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
        {&oldest_, "SELECT id, channel, posted_at FROM messages ORDER BY id LIMIT ?1"},
        {&count_channel_, "SELECT count(*) FROM messages WHERE channel = ?1"},
        // A channel whose last row was pruned is forgotten: it leaves the channel list and
        // stops counting toward the server's channel cap.
        {&forget_channel_,
         "DELETE FROM channels WHERE name = ?1 AND NOT EXISTS (SELECT 1 FROM messages WHERE channel = ?1) "
         "RETURNING name"},
        {&oldest_in_channel_, "SELECT id FROM messages WHERE channel = ?1 ORDER BY id LIMIT ?2"},
        {&delete_message_, "DELETE FROM messages WHERE id = ?1"},
        {&delete_nonces_of_, "DELETE FROM nonces WHERE message_id = ?1"},
    };
    for (const auto& [stmt, sql] : all)
        if (!stmt->prepare(*db_, sql, error)) return false;
    return true;
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
    {
        // The newest message's time restarts the nonce clock; the newest id is the newest.
        sqlite::statement newest;
        if (!newest.prepare(*db_, "SELECT posted_at FROM messages ORDER BY id DESC LIMIT 1", error))
            return false;
        const int rc = newest.step();
        if (rc == SQLITE_ROW)
            newest_timestamp_ = newest.column_int64(0);
        else if (rc != SQLITE_DONE) {
            error = failure("reading the newest message");
            return false;
        }
    }
    // Every channel's count is unknown until maintain() counts it.
    if (options_.max_messages_per_channel > 0) cap_pending_.insert(known_channels_.begin(), known_channels_.end());
    return prune_nonces(error);
}

bool sqlite_backend::prune_nonces(std::string& error) {
    last_prune_ = std::chrono::steady_clock::now();
    if (newest_timestamp_ <= limits::nonce_memory_ms) return true;
    sqlite::reset_on_exit guard(prune_nonces_);
    prune_nonces_.bind(1, newest_timestamp_ - limits::nonce_memory_ms);
    if (prune_nonces_.run()) return true;
    error = failure("pruning nonces");
    return false;
}

std::string sqlite_backend::failure(const char* what) const {
    return std::string("storage error ") + what + ": " + db_->last_error();
}

bool sqlite_backend::begin(std::string& error) {
    {
        sqlite::reset_on_exit guard(begin_);
        if (!begin_.run()) {
            error = failure("starting a transaction");
            return false;
        }
    }
    // Inside the batch's transaction: pruning costs no commit of its own.
    if (std::chrono::steady_clock::now() - last_prune_ >= options_.nonce_prune_interval)
        return prune_nonces(error);
    return true;
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
    // The counts included posts that are gone now: count those channels again.
    for (const auto& name : posted_in_batch_) {
        channel_rows_.erase(name);
        if (options_.max_messages_per_channel > 0) cap_pending_.insert(name);
    }
    posted_in_batch_.clear();
}

sqlite_backend::lookup sqlite_backend::find_message(message_id id, stored_message& out) {
    sqlite::reset_on_exit guard(find_message_);
    find_message_.bind(1, id);
    const int rc = find_message_.step();
    if (rc == SQLITE_DONE) return lookup::missing;
    if (rc != SQLITE_ROW) return lookup::failed;
    out.message.id = id;
    out.message.channel = find_message_.column_text(0);
    out.message.user = find_message_.column_text(1);
    out.message.text = find_message_.column_text(2);
    out.message.timestamp = find_message_.column_int64(3);
    out.message.edited_at = find_message_.column_optional_int64(4);
    out.owner = find_message_.column_text(5);
    out.deleted = find_message_.column_int64(6) != 0;
    return lookup::found;
}

post_result sqlite_backend::post(const new_message& message) {
    newest_timestamp_ = std::max(newest_timestamp_, message.timestamp);
    if (message.nonce) {
        std::optional<message_id> earlier_id;
        {
            sqlite::reset_on_exit guard(find_nonce_);
            find_nonce_.bind(1, message.resend_scope);
            find_nonce_.bind(2, message.channel);
            find_nonce_.bind(3, *message.nonce);
            const int rc = find_nonce_.step();
            if (rc == SQLITE_ROW) {
                // An entry past its 24 h is forgotten even before pruning reaches it.
                if (find_nonce_.column_int64(1) >= message.timestamp - limits::nonce_memory_ms)
                    earlier_id = find_nonce_.column_int64(0);
            } else if (rc != SQLITE_DONE) {
                return failed_result<post_result>(failure("looking up a nonce"));
            }
        }
        if (earlier_id) {
            stored_message earlier;
            switch (find_message(*earlier_id, earlier)) {
                case lookup::failed:
                    return failed_result<post_result>(failure("reading a message"));
                case lookup::found: {
                    post_result r;
                    r.outcome = store_outcome::duplicate;
                    r.message = std::move(earlier.message);
                    r.deleted = earlier.deleted;
                    return r;
                }
                case lookup::missing:
                    break;  // cannot happen (pruning drops a message's nonces with it); store anew
            }
        }
    }

    {
        sqlite::reset_on_exit guard(insert_message_);
        insert_message_.bind(1, message.channel);
        insert_message_.bind(2, message.user);
        insert_message_.bind(3, message.text);
        insert_message_.bind(4, message.timestamp);
        insert_message_.bind(5, message.owner);
        if (!insert_message_.run()) return failed_result<post_result>(failure("storing a message"));
    }
    const message_id id = db_->last_insert_id();

    if (message.nonce) {
        sqlite::reset_on_exit guard(save_nonce_);
        save_nonce_.bind(1, message.resend_scope);
        save_nonce_.bind(2, message.channel);
        save_nonce_.bind(3, *message.nonce);
        save_nonce_.bind(4, id);
        save_nonce_.bind(5, message.timestamp);
        if (!save_nonce_.run()) return failed_result<post_result>(failure("storing a nonce"));
    }

    if (!known_channels_.contains(message.channel)) {
        sqlite::reset_on_exit guard(insert_channel_);
        insert_channel_.bind(1, message.channel);
        if (!insert_channel_.run()) return failed_result<post_result>(failure("storing a channel"));
        known_channels_.insert(message.channel);
        channels_added_in_batch_.push_back(message.channel);
    }

    count_post(message.channel);

    post_result r;
    r.outcome = store_outcome::ok;
    r.message.id = id;
    r.message.channel = message.channel;
    r.message.user = message.user;
    r.message.text = message.text;
    r.message.timestamp = message.timestamp;
    return r;
}

change_result sqlite_backend::change(const message_change& request) {
    const bool edit = request.what == message_change::kind::edit;
    stored_message target;
    const lookup found = find_message(request.id, target);
    if (found == lookup::failed) return failed_result<change_result>(failure("reading a message"));
    change_result r;
    r.what = request.what;
    r.id = request.id;
    if (found == lookup::missing || target.deleted) {
        r.outcome = store_outcome::not_found;
        return r;
    }
    r.channel = std::move(target.message.channel);  // a refusal names it in the audit log
    if (!request.is_admin && target.owner != request.requester) {
        r.outcome = store_outcome::forbidden;
        return r;
    }
    sqlite::statement& write = edit ? update_text_ : mark_deleted_;
    sqlite::reset_on_exit guard(write);
    write.bind(1, request.id);
    if (edit) {
        write.bind(2, request.text);
        write.bind(3, request.at);
    }
    if (!write.run())
        return failed_result<change_result>(failure(edit ? "editing a message" : "deleting a message"));
    r.outcome = store_outcome::ok;
    if (edit) {
        r.text = request.text;
        r.edited_at = request.at;
    }
    return r;
}

history_result sqlite_backend::history(const history_query& query) {
    const int limit = std::clamp(query.limit, 1, limits::max_history_limit);
    sqlite::statement& s = query.direction == history_direction::latest   ? latest_
                           : query.direction == history_direction::before ? before_
                                                                          : after_;
    sqlite::reset_on_exit guard(s);
    s.bind(1, query.channel);
    if (query.direction == history_direction::latest) {
        s.bind(2, std::int64_t{limit} + 1);
    } else {
        s.bind(2, query.anchor);
        s.bind(3, std::int64_t{limit} + 1);
    }

    history_result r;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        chat_message m;
        m.id = s.column_int64(0);
        m.channel = query.channel;
        m.user = s.column_text(1);
        m.text = s.column_text(2);
        m.timestamp = s.column_int64(3);
        m.edited_at = s.column_optional_int64(4);
        r.messages.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) return failed_result<history_result>(failure("reading history"));

    // The extra row is the last one walked (the oldest going back, the newest going on).
    r.has_more = r.messages.size() > static_cast<std::size_t>(limit);
    if (r.has_more) r.messages.pop_back();
    if (query.direction != history_direction::after) std::reverse(r.messages.begin(), r.messages.end());
    r.outcome = store_outcome::ok;
    return r;
}

void sqlite_backend::count_post(const std::string& channel) {
    if (options_.max_messages_per_channel <= 0) return;
    posted_in_batch_.push_back(channel);
    auto it = channel_rows_.find(channel);
    if (it == channel_rows_.end()) {
        // A channel new to this run: count it at the next step (it may hold old rows).
        cap_pending_.insert(channel);
        return;
    }
    if (++it->second > options_.max_messages_per_channel) cap_pending_.insert(channel);
}

bool sqlite_backend::prune(const std::vector<std::pair<message_id, std::string>>& rows, std::string& error) {
    {
        sqlite::reset_on_exit guard(begin_);
        if (!begin_.run()) {
            error = failure("starting a pruning transaction");
            return false;
        }
    }
    for (const auto& [id, channel] : rows) {
        bool ok = false;
        {
            sqlite::reset_on_exit guard(delete_nonces_of_);
            delete_nonces_of_.bind(1, id);
            ok = delete_nonces_of_.run();
        }
        if (ok) {
            sqlite::reset_on_exit guard(delete_message_);
            delete_message_.bind(1, id);
            ok = delete_message_.run();
        }
        if (!ok) {
            error = failure("pruning messages");
            rollback();
            return false;
        }
    }
    std::vector<std::string> forgotten;
    for (const auto& [id, channel] : rows) {
        if (std::find(forgotten.begin(), forgotten.end(), channel) != forgotten.end()) continue;
        sqlite::reset_on_exit guard(forget_channel_);
        forget_channel_.bind(1, channel);
        const int rc = forget_channel_.step();
        if (rc == SQLITE_ROW) forgotten.push_back(channel);
        else if (rc != SQLITE_DONE) {
            error = failure("forgetting an emptied channel");
            rollback();
            return false;
        }
    }
    {
        sqlite::reset_on_exit guard(commit_);
        if (!commit_.run()) {
            error = failure("committing pruned messages");
            rollback();
            return false;
        }
    }
    for (const auto& [id, channel] : rows)
        if (auto it = channel_rows_.find(channel); it != channel_rows_.end()) --it->second;
    for (const auto& channel : forgotten) {
        known_channels_.erase(channel);  // a later post records it again
        channel_rows_.erase(channel);
    }
    return true;
}

maintenance_step sqlite_backend::prune_expired(unix_ms now) {
    maintenance_step step;
    if (options_.retention_ms <= 0) return step;
    const unix_ms cutoff = now - options_.retention_ms;
    std::vector<std::pair<message_id, std::string>> rows;
    {
        sqlite::reset_on_exit guard(oldest_);
        oldest_.bind(1, std::int64_t{options_.prune_batch_rows});
        int rc;
        while ((rc = oldest_.step()) == SQLITE_ROW) {
            if (oldest_.column_int64(2) >= cutoff) break;
            rows.emplace_back(oldest_.column_int64(0), oldest_.column_text(1));
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            return failed_result<maintenance_step>(failure("finding expired messages"));
        }
    }
    if (rows.empty()) return step;
    if (!prune(rows, step.error)) {
        step.outcome = store_outcome::failed;
        return step;
    }
    step.pruned = rows.size();
    // A full step may have left more behind; a short one reached the young messages.
    step.more = rows.size() == static_cast<std::size_t>(options_.prune_batch_rows);
    return step;
}

maintenance_step sqlite_backend::prune_over_cap() {
    maintenance_step step;
    const std::int64_t cap = options_.max_messages_per_channel;
    if (cap <= 0) return step;
    // Counting a channel reads its index (a few ms per 100,000 rows): a bounded number
    // per step, so a database with many channels is counted over several steps.
    constexpr int max_counts_per_step = 16;
    int counted = 0;
    while (!cap_pending_.empty() && step.pruned == 0) {
        const std::string channel = *cap_pending_.begin();
        auto known = channel_rows_.find(channel);
        if (known == channel_rows_.end()) {
            if (counted++ == max_counts_per_step) break;
            sqlite::reset_on_exit guard(count_channel_);
            count_channel_.bind(1, channel);
            if (count_channel_.step() != SQLITE_ROW) {
                return failed_result<maintenance_step>(failure("counting a channel's messages"));
            }
            known = channel_rows_.emplace(channel, count_channel_.column_int64(0)).first;
        }
        const std::int64_t excess = known->second - cap;
        if (excess <= 0) {
            cap_pending_.erase(channel);
            continue;
        }
        std::vector<std::pair<message_id, std::string>> rows;
        {
            sqlite::reset_on_exit guard(oldest_in_channel_);
            oldest_in_channel_.bind(1, channel);
            oldest_in_channel_.bind(2, std::min<std::int64_t>(excess, options_.prune_batch_rows));
            int rc;
            while ((rc = oldest_in_channel_.step()) == SQLITE_ROW)
                rows.emplace_back(oldest_in_channel_.column_int64(0), channel);
            if (rc != SQLITE_DONE) {
                return failed_result<maintenance_step>(failure("finding a channel's oldest messages"));
            }
        }
        if (rows.empty()) {  // the count was stale; count again next time
            channel_rows_.erase(channel);
            continue;
        }
        if (!prune(rows, step.error)) {
            step.outcome = store_outcome::failed;
            return step;
        }
        step.pruned = rows.size();
        if (known->second <= cap) cap_pending_.erase(channel);
    }
    step.more = !cap_pending_.empty();
    return step;
}

maintenance_step sqlite_backend::maintain(unix_ms now) {
    maintenance_step step = prune_expired(now);
    if (step.failed() || step.more) return step;
    maintenance_step capped = prune_over_cap();
    capped.pruned += step.pruned;
    return capped;
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
