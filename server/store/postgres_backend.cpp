#include "store/postgres_backend.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "parley/core/codec.hpp"
#include "parley/core/limits.hpp"
#include "store/postgres_schema.hpp"

namespace parley::server {

namespace {

// The prepared statements, by name.
namespace sql {
// The event stream's head, locked by an edit, a delete, a read after the batch's writes and
// upkeep, and held to the end of the transaction (schema_v3 in postgres_schema.cpp).
constexpr const char* lock_stream = "lock_stream";
// Locks the stream's head, appends the batch's events after it and wakes every server's
// stream reader (sent at commit), in one statement; answers where the events start.
constexpr const char* append_events = "append_events";
// Takes the row locks of the channels $1 (creating rows, unlisted, for new channels) in
// name order and holds them to the end of the transaction: a batch's, before its posts,
// and upkeep's, before it unlists an emptied channel.
constexpr const char* lock_channels = "lock_channels";
// COMMIT prepared, so that it can share a pipeline with the statements before it.
constexpr const char* commit = "commit_batch";
constexpr const char* forget_nonce = "forget_nonce";
// A post in one round trip: looks the nonce up; if no message holds it, bumps the channel's
// position (locking its row to the commit), draws the id under that lock and inserts the
// row. Answers (false, id, seq) for a new message or (true, id, posted_at) for the earlier
// one that holds the nonce, which is then left untouched.
constexpr const char* post_message = "post_message";
constexpr const char* find_message = "find_message";
constexpr const char* find_message_for_change = "find_message_for_change";
constexpr const char* update_text = "update_text";
constexpr const char* mark_deleted = "mark_deleted";
constexpr const char* list_channels = "list_channels";
constexpr const char* latest = "history_latest";
constexpr const char* before = "history_before";
constexpr const char* after = "history_after";
}  // namespace sql

constexpr const char* message_columns = "channel, user_name, body, posted_at, edited_at, owner, deleted, seq";
// A history page with the stream's head in the same snapshot (column 0; one row with NULL
// message columns when the page is empty): what the page holds is exactly the events up to
// that position. `page` is the inner query.
std::string history_statement(const char* page, const char* order) {
    return std::string("SELECT h.position, m.id, m.user_name, m.body, m.posted_at, m.edited_at, m.seq "
                       "FROM stream_head h LEFT JOIN LATERAL (SELECT id, user_name, body, posted_at, edited_at, "
                       "seq FROM messages ") +
           page + ") m ON true ORDER BY m.id " + order;
}

}  // namespace

std::unique_ptr<postgres_backend> postgres_backend::open(const postgres_backend_options& options,
                                                         std::string& error) {
    auto db = pg::connection::open(options.conninfo, error);
    if (!db) return nullptr;
    if (!pg::migrate(*db, error)) return nullptr;
    const std::string prefix = pg::notification_prefix(*db, error);
    if (prefix.empty()) return nullptr;
    auto backend = std::make_unique<postgres_backend>(open_tag{}, std::move(db), options);
    backend->events_channel_ = prefix + "events";
    if (!backend->prepare_statements(error) || !backend->load_state(error)) return nullptr;
    return backend;
}

postgres_backend::postgres_backend(open_tag, std::unique_ptr<pg::connection> db,
                                   const postgres_backend_options& options)
    : db_(std::move(db)), options_(options) {}

bool postgres_backend::prepare_statements(std::string& error) {
    const std::string find = std::string("SELECT ") + message_columns + " FROM messages WHERE id = $1";
    const std::string find_for_change = find + " FOR UPDATE";
    const std::string latest =
        history_statement("WHERE channel = $1 AND NOT deleted ORDER BY id DESC LIMIT $2", "DESC");
    const std::string before =
        history_statement("WHERE channel = $1 AND NOT deleted AND id < $2 ORDER BY id DESC LIMIT $3", "DESC");
    const std::string after =
        history_statement("WHERE channel = $1 AND NOT deleted AND id > $2 ORDER BY id ASC LIMIT $3", "ASC");
    const std::pair<const char*, std::string> all[] = {
        {sql::lock_stream, "SELECT position FROM stream_head FOR UPDATE"},
        // The UPDATE waits for the head's lock and then sees the head the last commit left.
        {sql::append_events,
         "WITH head AS ("
         "  UPDATE stream_head SET position = position + cardinality($1::text[]) RETURNING position),"
         " appended AS ("
         "  INSERT INTO events (position, channel, payload, origin, session, at)"
         "  SELECT head.position - cardinality($1::text[]) + e.n, e.c, e.d, $4::text, e.s, $5::bigint"
         "  FROM head, unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(c, d, s, n)) "
         "SELECT position - cardinality($1::text[]), pg_notify($6::text, position::text) FROM head"},
        {sql::commit, "COMMIT"},
        // Byte order whatever the database's collation, the same on every server.
        {sql::lock_channels,
         "INSERT INTO channels (name) SELECT n FROM unnest($1::text[]) AS c(n) ORDER BY n COLLATE \"C\" "
         "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name"},
        {sql::forget_nonce, "UPDATE messages SET resend_scope = NULL, nonce = NULL WHERE id = $1"},
        // A NULL nonce matches no row. The statement's snapshot is taken after the batch
        // locked the channel, so it sees every resend another server committed before.
        {sql::post_message,
         "WITH earlier AS ("
         "  SELECT id, posted_at FROM messages WHERE resend_scope = $6 AND channel = $1 AND nonce = $7),"
         " position AS ("
         "  INSERT INTO channels AS c (name, last_seq, listed)"
         "  SELECT $1, 1, true WHERE NOT EXISTS (SELECT 1 FROM earlier)"
         "  ON CONFLICT (name) DO UPDATE SET last_seq = c.last_seq + 1, listed = true RETURNING last_seq),"
         " stored AS ("
         "  INSERT INTO messages (id, channel, seq, user_name, body, posted_at, owner, resend_scope, nonce)"
         "  SELECT nextval('message_ids'), $1, last_seq, $2, $3, $4, $5, $6, $7 FROM position RETURNING id, seq) "
         "SELECT false, id, seq FROM stored UNION ALL SELECT true, id, posted_at FROM earlier"},
        {sql::find_message, find},
        {sql::find_message_for_change, find_for_change},
        {sql::update_text, "UPDATE messages SET body = $2, edited_at = $3 WHERE id = $1"},
        // The text goes with the deletion: a resend of the nonce answers the deletion only.
        {sql::mark_deleted, "UPDATE messages SET deleted = true, body = '' WHERE id = $1"},
        // Byte order whatever the database's collation, as SQLite sorts.
        {sql::list_channels, "SELECT name FROM channels WHERE listed ORDER BY name COLLATE \"C\""},
        {sql::latest, latest},
        {sql::before, before},
        {sql::after, after},
    };
    for (const auto& [name, text] : all)
        if (!db_->prepare(name, text.c_str(), error)) return false;
    return prepare_upkeep_statements(error);
}

bool postgres_backend::load_state(std::string& error) {
    auto newest = db_->exec("SELECT posted_at FROM messages ORDER BY id DESC LIMIT 1");
    if (!newest.ok()) {
        error = failure("reading the newest message", newest);
        return false;
    }
    if (newest.rows() == 1) newest_timestamp_ = newest.int64(0, 0);
    if (options_.max_messages_per_channel > 0) {
        auto listed = db_->exec("SELECT name FROM channels WHERE listed");
        if (!listed.ok()) {
            error = failure("reading channels", listed);
            return false;
        }
        for (int i = 0; i < listed.rows(); ++i) cap_pending_.emplace(listed.text(i, 0));
    }
    return true;
}

std::string postgres_backend::failure(const char* what, const pg::result& r) const {
    return pg::describe(what, r, *db_);
}

bool postgres_backend::begin(std::string& error) {
    auto r = db_->exec("BEGIN");
    if (r.ok()) return true;
    // The connection was lost (the database restarted, or an administrator ended it):
    // this batch connects again, or fails with the reason and the next one tries again.
    if (!db_->alive()) {
        if (!db_->reconnect(error) || !prepare_statements(error)) return false;
        r = db_->exec("BEGIN");
        if (r.ok()) return true;
    }
    error = failure("starting a transaction", r);
    return false;
}

bool postgres_backend::probe(std::string& error) {
    if (auto r = db_->exec("SELECT 1"); r.ok()) return true;
    if (!db_->alive() && db_->reconnect(error) && prepare_statements(error)) return true;
    if (error.empty()) error = db_->last_error();
    return false;
}

void postgres_backend::will_post_to(std::vector<std::string> channels) {
    will_post_to_ = std::move(channels);
}

std::vector<std::string> postgres_backend::channels_to_lock(const std::vector<std::string>& channels) const {
    std::vector<std::string> wanted;
    for (const auto* list : {&will_post_to_, &channels})
        for (const auto& name : *list)
            if (!locked_channels_.contains(name)) wanted.push_back(name);
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    return wanted;
}

bool postgres_backend::took_channel_locks(const pg::result& r, const std::vector<std::string>& channels,
                                          std::string& error) {
    if (!r.ok()) {
        error = failure("locking channels", r);
        return false;
    }
    locked_channels_.insert(channels.begin(), channels.end());
    return true;
}

bool postgres_backend::lock_stream(std::string& error) {
    if (stream_locked_) return true;
    // The channels first, as every transaction takes them (postgres_backend.hpp).
    const auto channels = channels_to_lock({});
    std::vector<pg::statement> statements;
    if (!channels.empty()) statements.push_back({sql::lock_channels, {pg::text_array(channels)}});
    statements.push_back({sql::lock_stream, {}});
    auto answers = db_->run_all(statements);
    if (!channels.empty() && !took_channel_locks(answers.front(), channels, error)) return false;
    return took_stream_lock(answers.back(), error);
}

bool postgres_backend::took_stream_lock(const pg::result& r, std::string& error) {
    if (!r.ok() || r.rows() != 1) {
        error = failure("locking the event stream", r);
        return false;
    }
    head_ = r.int64(0, 0);
    stream_locked_ = true;
    return true;
}

stream_position postgres_backend::append_event(const std::string& channel, std::string payload,
                                               const std::string& session) {
    events_.push_back({channel, std::move(payload), session});
    return static_cast<stream_position>(events_.size());
}

pg::statement postgres_backend::events_statement() {
    std::vector<std::string> channels, payloads, sessions;
    for (auto& e : events_) {
        channels.push_back(e.channel);
        payloads.push_back(std::move(e.payload));
        sessions.push_back(e.session);
    }
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    return {sql::append_events,
            {pg::text_array(channels), pg::text_array(payloads), pg::text_array(sessions), options_.origin, now,
             events_channel_}};
}

void postgres_backend::end_transaction() {
    will_post_to_.clear();
    locked_channels_.clear();
    stream_locked_ = false;
    events_.clear();
}

bool postgres_backend::commit(std::string& error) {
    // The batch's events and the COMMIT go in one round trip: the stream's lock is held for
    // this one alone (unless an edit, a delete or a read took it earlier).
    std::vector<pg::statement> statements;
    const bool has_events = !events_.empty();
    if (has_events) statements.push_back(events_statement());
    statements.push_back({sql::commit, {}});
    end_transaction();
    committed_base_ = 0;
    auto answers = db_->run_all(statements);
    if (has_events && (!answers.front().ok() || answers.front().rows() != 1)) {
        error = failure("appending to the event stream", answers.front());
        return false;
    }
    const pg::result& r = answers.back();
    // A transaction a failed statement aborted answers COMMIT with ROLLBACK.
    if (!r.ok() || r.tag() != "COMMIT") {
        error = failure("committing", r);
        if (error.ends_with("unknown error")) error = "storage error committing: the transaction was rolled back";
        return false;
    }
    if (has_events) committed_base_ = answers.front().int64(0, 0);
    posted_in_batch_.clear();
    return true;
}

void postgres_backend::rollback() {
    if (db_->in_transaction()) db_->exec("ROLLBACK");
    end_transaction();
    // The counts included posts that are gone now: count those channels again.
    for (const auto& name : posted_in_batch_) {
        channel_rows_.erase(name);
        if (options_.max_messages_per_channel > 0) cap_pending_.insert(name);
    }
    posted_in_batch_.clear();
}

postgres_backend::lookup postgres_backend::find_message(message_id id, bool for_change, stored_message& out,
                                                        std::string& error) {
    auto r = db_->run(for_change ? sql::find_message_for_change : sql::find_message, {id});
    if (!r.ok()) {
        error = failure("reading a message", r);
        return lookup::failed;
    }
    if (r.rows() == 0) return lookup::missing;
    out.message.id = id;
    out.message.channel = r.text(0, 0);
    out.message.user = r.text(0, 1);
    out.message.text = r.text(0, 2);
    out.message.timestamp = r.int64(0, 3);
    out.message.edited_at = r.optional_int64(0, 4);
    out.owner = r.text(0, 5);
    out.deleted = r.boolean(0, 6);
    out.message.seq = r.int64(0, 7);
    return lookup::found;
}

std::vector<pg::param> postgres_backend::post_params(const new_message& message) {
    const pg::param no_text(std::nullopt);
    return {message.channel,
            message.user,
            message.text,
            message.timestamp,
            message.owner,
            message.nonce ? pg::param(message.resend_scope) : no_text,
            message.nonce ? pg::param(*message.nonce) : no_text};
}

post_result postgres_backend::post(const new_message& message) {
    return std::move(post_all({&message}).front());
}

std::vector<post_result> postgres_backend::post_all(const std::vector<const new_message*>& messages) {
    std::vector<post_result> results;
    results.reserve(messages.size());
    for (bool going = true; going && results.size() < messages.size();)
        going = post_run(messages, results.size(), results);
    return results;
}

bool postgres_backend::post_run(const std::vector<const new_message*>& messages, std::size_t start,
                                std::vector<post_result>& results) {
    const std::size_t end = std::min(messages.size(), start + max_pipelined_posts);
    // The channels' locks first, in the same round trip: a resend on another server that got
    // there before us has committed, and the nonce lookups (statements that start after the
    // lock) see its row. Each post sees the ones before it in the batch too, so a resend
    // within one batch is a duplicate. (A channel the batch did not announce is locked here
    // too, after any it holds: only batching_store's order is free of waits in a circle.)
    std::vector<std::string> posted_to;
    for (std::size_t i = start; i < end; ++i) posted_to.push_back(messages[i]->channel);
    const auto channels = channels_to_lock(posted_to);
    std::vector<pg::statement> statements;
    if (!channels.empty()) statements.push_back({sql::lock_channels, {pg::text_array(channels)}});
    for (std::size_t i = start; i < end; ++i) statements.push_back({sql::post_message, post_params(*messages[i])});
    auto answers = db_->run_all(statements);
    std::size_t next = 0;
    if (std::string error; !channels.empty() && !took_channel_locks(answers[next++], channels, error)) {
        results.push_back(failed_result<post_result>(std::move(error)));
        return false;
    }
    const std::size_t first = results.size();
    for (std::size_t i = start; i < end; ++i) {
        results.push_back(finish_post(*messages[i], std::move(answers[next++])));
        if (results.back().failed()) return false;
    }
    // Events go in id order, which is commit order: a post that had to take over an expired
    // nonce ran again after the others and drew a later id (and channel position).
    std::vector<std::pair<post_result*, const new_message*>> stored;
    for (std::size_t i = first; i < results.size(); ++i)
        if (results[i].ok()) stored.emplace_back(&results[i], messages[start + (i - first)]);
    std::sort(stored.begin(), stored.end(),
              [](const auto& a, const auto& b) { return a.first->message.id < b.first->message.id; });
    for (auto [r, m] : stored)
        r->position = append_event(m->channel, encode(server_message{r->message}), m->session);
    return true;
}

post_result postgres_backend::finish_post(const new_message& message, pg::result stored) {
    newest_timestamp_ = std::max(newest_timestamp_, message.timestamp);
    for (bool retried = false;; retried = true) {
        if (!stored.ok() || stored.rows() != 1) return failed_result<post_result>(failure("storing a message", stored));
        if (!stored.boolean(0, 0)) break;  // a new message
        const message_id earlier_id = stored.int64(0, 1);
        // A nonce past its 24 h is forgotten even before the upkeep clears it.
        const bool expired = stored.int64(0, 2) < message.timestamp - limits::nonce_memory_ms;
        if (!expired) {
            stored_message earlier;
            std::string error;
            if (find_message(earlier_id, false, earlier, error) != lookup::found)
                return failed_result<post_result>(error.empty() ? "storage error: a nonce names no message" : error);
            post_result r;
            r.outcome = store_outcome::duplicate;
            r.message = std::move(earlier.message);
            r.deleted = earlier.deleted;
            return r;
        }
        if (retried) return failed_result<post_result>("storage error storing a message: its nonce is still held");
        // The unique index holds one message per nonce: the old one lets go of it. Its row
        // is locked after the stream's head, as an edit's is.
        if (std::string error; !lock_stream(error)) return failed_result<post_result>(std::move(error));
        if (auto r = db_->run(sql::forget_nonce, {earlier_id}); !r.ok())
            return failed_result<post_result>(failure("forgetting an expired nonce", r));
        stored = db_->run(sql::post_message, post_params(message));
    }
    posted_in_batch_.push_back(message.channel);
    count_post(message.channel);

    post_result r;
    r.outcome = store_outcome::ok;
    r.message.id = stored.int64(0, 1);
    r.message.seq = stored.int64(0, 2);
    r.message.channel = message.channel;
    r.message.user = message.user;
    r.message.text = message.text;
    r.message.timestamp = message.timestamp;
    return r;
}

change_result postgres_backend::change(const message_change& request) {
    const bool edit = request.what == message_change::kind::edit;
    stored_message target;
    std::string error;
    if (!lock_stream(error)) return failed_result<change_result>(std::move(error));
    const lookup found = find_message(request.id, true, target, error);
    if (found == lookup::failed) return failed_result<change_result>(std::move(error));
    if (auto refused = refused_change(request, found == lookup::found, target.deleted, target.owner,
                                      target.message.channel))
        return std::move(*refused);
    auto written = edit ? db_->run(sql::update_text, {request.id, request.text, request.at})
                        : db_->run(sql::mark_deleted, {request.id});
    if (!written.ok())
        return failed_result<change_result>(failure(edit ? "editing a message" : "deleting a message", written));
    change_result r = applied_change(request, std::move(target.message.channel));
    r.position = append_event(r.channel, encode(r.notice()), {});
    return r;
}

history_result postgres_backend::history(const history_query& query) {
    // After the batch's own writes, the page holds messages whose events have no place in
    // the stream yet: the stream's lock gives them theirs before the read.
    if (std::string error; !events_.empty() && !lock_stream(error))
        return failed_result<history_result>(std::move(error));
    const int limit = std::clamp(query.limit, 1, limits::max_history_limit);
    // One extra row is read to learn `has_more`.
    const std::int64_t rows = std::int64_t{limit} + 1;
    auto page = query.direction == history_direction::latest
                    ? db_->run(sql::latest, {query.channel, rows})
                    : db_->run(query.direction == history_direction::before ? sql::before : sql::after,
                               {query.channel, query.anchor, rows});
    if (!page.ok()) return failed_result<history_result>(failure("reading history", page));

    history_result r;
    // The read sees the batch's own writes: its position must count their events, which
    // follow the head the stream's lock holds still.
    r.position = stream_locked_ ? head_ + static_cast<stream_position>(events_.size())
                                : (page.rows() > 0 ? page.int64(0, 0) : 0);
    r.messages.reserve(static_cast<std::size_t>(page.rows()));
    for (int i = 0; i < page.rows(); ++i) {
        if (page.is_null(i, 1)) continue;  // the empty page's one row
        chat_message m;
        m.id = page.int64(i, 1);
        m.channel = query.channel;
        m.user = page.text(i, 2);
        m.text = page.text(i, 3);
        m.timestamp = page.int64(i, 4);
        m.edited_at = page.optional_int64(i, 5);
        m.seq = page.int64(i, 6);
        r.messages.push_back(std::move(m));
    }
    // The extra row is the last one read (the oldest going back, the newest going on).
    r.has_more = r.messages.size() > static_cast<std::size_t>(limit);
    if (r.has_more) r.messages.pop_back();
    if (query.direction != history_direction::after) std::reverse(r.messages.begin(), r.messages.end());
    r.outcome = store_outcome::ok;
    return r;
}

channels_result postgres_backend::channels() {
    auto listed = db_->run(sql::list_channels, {});
    if (!listed.ok()) return failed_result<channels_result>(failure("listing channels", listed));
    channels_result r;
    for (int i = 0; i < listed.rows(); ++i) r.names.emplace_back(listed.text(i, 0));
    r.outcome = store_outcome::ok;
    return r;
}

}  // namespace parley::server
