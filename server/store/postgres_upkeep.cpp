// postgres_backend's upkeep: old stream events, retention, expired nonces and the per-channel cap, in
// bounded steps run by the storage thread between batches, as sqlite_upkeep.cpp does.
// Several servers may share the database: a step runs only on the server holding the
// upkeep lock for that transaction (the others skip it). A prune locks its channels' rows
// and then the stream's head before it deletes, the order every write batch takes them
// in: a post on another server racing the last prune of a channel is seen, and upkeep
// and a batch never wait on each other in a circle.
#include <algorithm>
#include <string>
#include <utility>

#include "parley/core/limits.hpp"
#include "store/postgres_backend.hpp"

namespace parley::server {

namespace {

namespace sql {
constexpr const char* oldest = "upkeep_oldest";
constexpr const char* delete_messages = "upkeep_delete_messages";
constexpr const char* unlist_if_empty = "upkeep_unlist_if_empty";
constexpr const char* count_channel = "upkeep_count_channel";
constexpr const char* oldest_in_channel = "upkeep_oldest_in_channel";
constexpr const char* nonce_walk = "upkeep_nonce_walk";
constexpr const char* forget_nonces = "upkeep_forget_nonces";
constexpr const char* load_state = "upkeep_load_state";
constexpr const char* save_state = "upkeep_save_state";
constexpr const char* prune_events = "upkeep_prune_events";
constexpr const char* prune_control = "upkeep_prune_control";
}  // namespace sql

// Where the walk that clears expired nonces stopped, in store_state.
constexpr const char* nonces_cleared_key = "nonces_cleared_below";

/// `ids` as a PostgreSQL array literal, "{1,2,3}".
std::string id_array(const std::vector<message_id>& ids) {
    std::string text = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) text += ',';
        text += std::to_string(ids[i]);
    }
    return text + "}";
}

}  // namespace

bool postgres_backend::prepare_upkeep_statements(std::string& error) {
    const std::pair<const char*, const char*> all[] = {
        // Retention walks ids from the oldest: ids grow with the clock, so the walk stops
        // at the first message young enough (no index on the time needed).
        {sql::oldest, "SELECT id, channel, posted_at FROM messages ORDER BY id LIMIT $1"},
        {sql::delete_messages, "DELETE FROM messages WHERE id = ANY($1::bigint[])"},
        // A channel whose last row was pruned leaves the channel list (and the server's
        // channel cap) but keeps its position, so a later post continues after it.
        {sql::unlist_if_empty,
         "UPDATE channels SET listed = false WHERE name = $1 AND listed AND NOT EXISTS "
         "(SELECT 1 FROM messages WHERE channel = $1)"},
        {sql::count_channel, "SELECT count(*) FROM messages WHERE channel = $1"},
        {sql::oldest_in_channel, "SELECT id FROM messages WHERE channel = $1 ORDER BY id LIMIT $2"},
        {sql::nonce_walk, "SELECT id, posted_at FROM messages WHERE id >= $1 ORDER BY id LIMIT $2"},
        {sql::forget_nonces,
         "UPDATE messages SET resend_scope = NULL, nonce = NULL WHERE id >= $1 AND id <= $2 AND nonce IS NOT NULL"},
        {sql::load_state, "SELECT value FROM store_state WHERE key = $1"},
        {sql::prune_events,
         "DELETE FROM events WHERE position IN (SELECT position FROM events WHERE at < $1 ORDER BY position "
         "LIMIT $2)"},
        {sql::prune_control,
         "DELETE FROM control_log WHERE position IN (SELECT position FROM control_log WHERE at < $1 "
         "ORDER BY position LIMIT $2)"},
        {sql::save_state,
         "INSERT INTO store_state (key, value) VALUES ($1, $2) "
         "ON CONFLICT (key) DO UPDATE SET value = GREATEST(store_state.value, EXCLUDED.value)"},
    };
    for (const auto& [name, text] : all)
        if (!db_->prepare(name, text, error)) return false;
    return true;
}

void postgres_backend::count_post(const std::string& channel) {
    if (options_.max_messages_per_channel <= 0) return;
    auto it = channel_rows_.find(channel);
    if (it == channel_rows_.end()) {
        cap_pending_.insert(channel);  // count it at the next step (it may hold old rows)
        return;
    }
    if (++it->second > options_.max_messages_per_channel) cap_pending_.insert(channel);
}

bool postgres_backend::begin_upkeep(bool& mine, std::string& error) {
    mine = false;
    if (auto r = db_->exec("BEGIN"); !r.ok()) {
        error = failure("starting an upkeep transaction", r);
        return false;
    }
    // Advisory locks are per database, like NOTIFY: the second key is the deployment's schema,
    // so deployments in other schemas of the same database (tests run side by side) never
    // skip each other's upkeep. The first is any constant apart from the migration's.
    auto lock = db_->exec(
        "SELECT pg_try_advisory_xact_lock(7370617, "
        "(SELECT oid::int FROM pg_namespace WHERE nspname = current_schema()))");
    if (!lock.ok() || lock.rows() != 1) {
        error = failure("taking the upkeep lock", lock);
        rollback();
        return false;
    }
    mine = lock.boolean(0, 0);
    if (!mine) rollback();  // another server's upkeep is running: it does this step
    return true;
}

bool postgres_backend::prune(const std::vector<pruned_row>& rows, std::string& error) {
    std::vector<message_id> ids;
    std::vector<std::string> channels;
    for (const auto& row : rows) {
        ids.push_back(row.id);
        if (std::find(channels.begin(), channels.end(), row.channel) == channels.end())
            channels.push_back(row.channel);
    }
    auto fail = [&](const char* what, const pg::result& r) {
        error = failure(what, r);
        rollback();
        return false;
    };
    will_post_to(channels);  // locked as a batch locks the channels it posts to
    if (!lock_stream(error)) {
        rollback();
        return false;
    }
    if (auto r = db_->run(sql::delete_messages, {id_array(ids)}); !r.ok()) return fail("pruning messages", r);
    for (const auto& channel : channels)
        if (auto r = db_->run(sql::unlist_if_empty, {channel}); !r.ok())
            return fail("forgetting an emptied channel", r);
    if (auto r = db_->exec("COMMIT"); !r.ok() || r.tag() != "COMMIT")
        return fail("committing pruned messages", r);
    end_transaction();
    for (const auto& row : rows)
        if (auto it = channel_rows_.find(row.channel); it != channel_rows_.end()) --it->second;
    return true;
}

maintenance_step postgres_backend::prune_expired(unix_ms now) {
    maintenance_step step;
    if (options_.retention_ms <= 0) return step;
    bool mine = false;
    if (!begin_upkeep(mine, step.error)) return failed_result<maintenance_step>(std::move(step.error));
    if (!mine) return step;
    const unix_ms cutoff = now - options_.retention_ms;
    auto oldest = db_->run(sql::oldest, {std::int64_t{options_.prune_batch_rows}});
    if (!oldest.ok()) {
        auto failed = failed_result<maintenance_step>(failure("finding expired messages", oldest));
        rollback();
        return failed;
    }
    std::vector<pruned_row> rows;
    for (int i = 0; i < oldest.rows() && oldest.int64(i, 2) < cutoff; ++i)
        rows.push_back({oldest.int64(i, 0), std::string(oldest.text(i, 1))});
    if (rows.empty()) {
        rollback();
        return step;
    }
    if (!prune(rows, step.error)) {
        step.outcome = store_outcome::failed;
        return step;
    }
    step.pruned = rows.size();
    // A full step may have left more behind; a short one reached the young messages.
    step.more = rows.size() == static_cast<std::size_t>(options_.prune_batch_rows);
    return step;
}

maintenance_step postgres_backend::clear_expired_nonces() {
    maintenance_step step;
    if (newest_timestamp_ <= limits::nonce_memory_ms) return step;
    const unix_ms cutoff = newest_timestamp_ - limits::nonce_memory_ms;
    bool mine = false;
    if (!begin_upkeep(mine, step.error)) return failed_result<maintenance_step>(std::move(step.error));
    if (!mine) return step;
    auto fail = [&](const char* what, const pg::result& r) {
        auto failed = failed_result<maintenance_step>(failure(what, r));
        rollback();
        return failed;
    };
    // The watermark is read in the transaction: another server may have moved it.
    auto state = db_->run(sql::load_state, {nonces_cleared_key});
    if (!state.ok()) return fail("reading the store's state", state);
    const message_id cleared_below = state.rows() == 1 ? state.int64(0, 0) : 0;
    auto walk = db_->run(sql::nonce_walk, {cleared_below, std::int64_t{options_.prune_batch_rows}});
    if (!walk.ok()) return fail("finding expired nonces", walk);
    message_id last_expired = 0;
    for (int i = 0; i < walk.rows() && walk.int64(i, 1) < cutoff; ++i) last_expired = walk.int64(i, 0);
    if (last_expired == 0) {
        rollback();
        return step;
    }
    if (auto r = db_->run(sql::forget_nonces, {cleared_below, last_expired}); !r.ok())
        return fail("clearing expired nonces", r);
    if (auto r = db_->run(sql::save_state, {nonces_cleared_key, last_expired + 1}); !r.ok())
        return fail("saving the store's state", r);
    if (auto r = db_->exec("COMMIT"); !r.ok() || r.tag() != "COMMIT") return fail("committing cleared nonces", r);
    // Work was done: the rest (more nonces, then the cap) waits for the next step.
    step.more = true;
    return step;
}

maintenance_step postgres_backend::prune_over_cap() {
    maintenance_step step;
    const std::int64_t cap = options_.max_messages_per_channel;
    if (cap <= 0 || cap_pending_.empty()) return step;
    bool mine = false;
    if (!begin_upkeep(mine, step.error)) return failed_result<maintenance_step>(std::move(step.error));
    if (!mine) return step;
    auto fail = [&](const char* what, const pg::result& r) {
        auto failed = failed_result<maintenance_step>(failure(what, r));
        rollback();
        return failed;
    };
    // Counting reads a channel's index: a bounded number per step. The count is read
    // before acting on it (another server's posts are not in the cached one).
    constexpr int max_counts_per_step = 16;
    int counted = 0;
    while (!cap_pending_.empty() && counted < max_counts_per_step) {
        const std::string channel = *cap_pending_.begin();
        ++counted;
        auto count = db_->run(sql::count_channel, {channel});
        if (!count.ok() || count.rows() != 1) return fail("counting a channel's messages", count);
        const std::int64_t rows_now = count.int64(0, 0);
        channel_rows_[channel] = rows_now;
        const std::int64_t excess = rows_now - cap;
        if (excess <= 0) {
            cap_pending_.erase(channel);
            continue;
        }
        auto oldest = db_->run(sql::oldest_in_channel,
                               {channel, std::min<std::int64_t>(excess, options_.prune_batch_rows)});
        if (!oldest.ok()) return fail("finding a channel's oldest messages", oldest);
        std::vector<pruned_row> rows;
        for (int i = 0; i < oldest.rows(); ++i) rows.push_back({oldest.int64(i, 0), channel});
        if (!prune(rows, step.error)) {  // commits the upkeep transaction
            step.outcome = store_outcome::failed;
            return step;
        }
        step.pruned = rows.size();
        if (rows_now - static_cast<std::int64_t>(rows.size()) <= cap) cap_pending_.erase(channel);
        step.more = !cap_pending_.empty();
        return step;
    }
    rollback();
    step.more = !cap_pending_.empty();
    return step;
}

maintenance_step postgres_backend::prune_old_events(unix_ms now) {
    maintenance_step step;
    bool mine = false;
    if (!begin_upkeep(mine, step.error)) return failed_result<maintenance_step>(std::move(step.error));
    if (!mine) return step;
    // The control log is kept as long as the events (its `at` is the database's clock: a
    // server's own clock a few seconds off changes nothing at this scale).
    const std::pair<const char*, const char*> logs[] = {{sql::prune_events, "pruning old events"},
                                                        {sql::prune_control, "pruning old control notices"}};
    for (const auto& [statement, what] : logs) {
        auto pruned =
            db_->run(statement, {now - options_.event_retention_ms, std::int64_t{options_.prune_batch_rows}});
        if (!pruned.ok()) {
            auto failed = failed_result<maintenance_step>(failure(what, pruned));
            rollback();
            return failed;
        }
        step.more = step.more || pruned.affected() == options_.prune_batch_rows;
    }
    if (auto r = db_->exec("COMMIT"); !r.ok() || r.tag() != "COMMIT") {
        auto failed = failed_result<maintenance_step>(failure("committing pruned events", r));
        rollback();
        return failed;
    }
    return step;
}

maintenance_step postgres_backend::maintain(unix_ms now) {
    // The event stream first: it grows with every write and is only kept for catching up.
    maintenance_step events = prune_old_events(now);
    if (events.failed() || events.more) return events;
    return upkeep_in_order([&] { return prune_expired(now); }, [&] { return clear_expired_nonces(); },
                           [&] { return prune_over_cap(); });
}

}  // namespace parley::server
