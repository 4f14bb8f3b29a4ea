#include "store/sqlite_backend.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <system_error>
#include <utility>

#include "parley/core/limits.hpp"
#include "store/sqlite_schema.hpp"

namespace parley::server {

namespace {

// Results default to failure, so a failure is the default plus its reason.
template <class Result>
Result failed_result(std::string error) {
    Result r{};
    r.error = std::move(error);
    return r;
}

}  // namespace

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
        {&mark_deleted_, "UPDATE messages SET deleted = 1 WHERE id = ?1"},
        {&insert_channel_, "INSERT OR IGNORE INTO channels (name) VALUES (?1)"},
        {&list_channels_, "SELECT name FROM channels ORDER BY name"},
        {&latest_, latest_sql.c_str()},
        {&before_, before_sql.c_str()},
        {&after_, after_sql.c_str()},
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
                    r.outcome = post_outcome::duplicate;
                    r.message = std::move(earlier.message);
                    r.deleted = earlier.deleted;
                    return r;
                }
                case lookup::missing:
                    break;  // cannot happen (messages are never removed); store anew
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

    post_result r;
    r.outcome = post_outcome::stored;
    r.message.id = id;
    r.message.channel = message.channel;
    r.message.user = message.user;
    r.message.text = message.text;
    r.message.timestamp = message.timestamp;
    return r;
}

edit_result sqlite_backend::edit(const message_edit& change) {
    stored_message target;
    const lookup found = find_message(change.id, target);
    if (found == lookup::failed) return failed_result<edit_result>(failure("reading a message"));
    edit_result r;
    if (found == lookup::missing || target.deleted) {
        r.outcome = change_outcome::not_found;
        return r;
    }
    if (!change.is_admin && target.owner != change.requester) {
        r.outcome = change_outcome::forbidden;
        return r;
    }
    {
        sqlite::reset_on_exit guard(update_text_);
        update_text_.bind(1, change.id);
        update_text_.bind(2, change.text);
        update_text_.bind(3, change.edited_at);
        if (!update_text_.run()) return failed_result<edit_result>(failure("editing a message"));
    }
    r.outcome = change_outcome::ok;
    r.notice = edited_notice{change.id, std::move(target.message.channel), change.text, change.edited_at};
    return r;
}

remove_result sqlite_backend::remove(const message_removal& removal) {
    stored_message target;
    const lookup found = find_message(removal.id, target);
    if (found == lookup::failed) return failed_result<remove_result>(failure("reading a message"));
    remove_result r;
    if (found == lookup::missing || target.deleted) {
        r.outcome = change_outcome::not_found;
        return r;
    }
    if (!removal.is_admin && target.owner != removal.requester) {
        r.outcome = change_outcome::forbidden;
        return r;
    }
    {
        sqlite::reset_on_exit guard(mark_deleted_);
        mark_deleted_.bind(1, removal.id);
        if (!mark_deleted_.run()) return failed_result<remove_result>(failure("deleting a message"));
    }
    r.outcome = change_outcome::ok;
    r.notice = deleted_notice{removal.id, std::move(target.message.channel)};
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
    r.ok = true;
    return r;
}

channels_result sqlite_backend::channels() {
    sqlite::reset_on_exit guard(list_channels_);
    channels_result r;
    int rc;
    while ((rc = list_channels_.step()) == SQLITE_ROW) r.names.push_back(list_channels_.column_text(0));
    if (rc != SQLITE_DONE) return failed_result<channels_result>(failure("listing channels"));
    r.ok = true;
    return r;
}

}  // namespace parley::server
