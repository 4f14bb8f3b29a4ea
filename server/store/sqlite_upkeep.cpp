// sqlite_backend's upkeep: retention, expired nonces and the per-channel cap, in bounded
// steps run by the storage thread between batches. Pruning deletes rows; it never
// renumbers the stream positions of the rows left.
#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "parley/core/limits.hpp"
#include "store/sqlite_backend.hpp"

namespace parley::server {

void sqlite_backend::count_post(const std::string& channel) {
    if (options_.max_messages_per_channel <= 0) return;
    auto it = channel_rows_.find(channel);
    if (it == channel_rows_.end()) {
        // A channel new to this run: count it at the next step (it may hold old rows).
        cap_pending_.insert(channel);
        return;
    }
    if (++it->second > options_.max_messages_per_channel) cap_pending_.insert(channel);
}

bool sqlite_backend::prune(const std::vector<pruned_row>& rows, std::string& error) {
    {
        sqlite::reset_on_exit guard(begin_);
        if (!begin_.run()) {
            error = failure("starting a pruning transaction");
            return false;
        }
    }
    for (const auto& [id, channel, seq] : rows) {
        sqlite::reset_on_exit guard(delete_message_);
        delete_message_.bind(1, id);
        if (!delete_message_.run()) {
            error = failure("pruning messages");
            rollback();
            return false;
        }
    }
    std::vector<std::string> forgotten;
    for (const auto& [id, channel, seq] : rows) {
        if (std::find(forgotten.begin(), forgotten.end(), channel) != forgotten.end()) continue;
        if (!forget_if_empty(rows, channel, forgotten)) {
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
    for (const auto& row : rows)
        if (auto it = channel_rows_.find(row.channel); it != channel_rows_.end()) --it->second;
    for (const auto& channel : forgotten) {
        known_channels_.erase(channel);  // a later post records it again
        channel_rows_.erase(channel);
        last_seq_.erase(channel);  // channel_positions holds it now
    }
    return true;
}

bool sqlite_backend::forget_if_empty(const std::vector<pruned_row>& rows, const std::string& channel,
                                     std::vector<std::string>& forgotten) {
    {
        sqlite::reset_on_exit guard(forget_channel_);
        forget_channel_.bind(1, channel);
        const int rc = forget_channel_.step();
        if (rc == SQLITE_DONE) return true;  // rows remain: the newest keeps the position
        if (rc != SQLITE_ROW) return false;
    }
    forgotten.push_back(channel);
    // Emptied: every row left was in `rows`, so their newest position is the channel's,
    // kept so that a later post continues after it rather than at 1 again.
    std::int64_t last = 0;
    for (const auto& row : rows)
        if (row.channel == channel) last = std::max(last, row.seq);
    sqlite::reset_on_exit guard(save_position_);
    save_position_.bind(1, channel);
    save_position_.bind(2, last);
    return save_position_.run();
}

maintenance_step sqlite_backend::prune_expired(unix_ms now) {
    maintenance_step step;
    if (options_.retention_ms <= 0) return step;
    const unix_ms cutoff = now - options_.retention_ms;
    std::vector<pruned_row> rows;
    {
        sqlite::reset_on_exit guard(oldest_);
        oldest_.bind(1, std::int64_t{options_.prune_batch_rows});
        int rc;
        while ((rc = oldest_.step()) == SQLITE_ROW) {
            if (oldest_.column_int64(3) >= cutoff) break;
            rows.push_back({oldest_.column_int64(0), oldest_.column_text(1), oldest_.column_int64(2)});
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return failed_result<maintenance_step>(failure("finding expired messages"));
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

maintenance_step sqlite_backend::clear_expired_nonces() {
    maintenance_step step;
    // The nonce clock is the newest post's time, as for the lookup in post().
    if (newest_timestamp_ <= limits::nonce_memory_ms) return step;
    const unix_ms cutoff = newest_timestamp_ - limits::nonce_memory_ms;
    // The rows past the watermark whose nonces expired: ids grow with the clock, so the
    // walk stops at the first one young enough.
    message_id last_expired = 0;
    int walked = 0;
    {
        sqlite::reset_on_exit guard(nonce_walk_);
        nonce_walk_.bind(1, nonces_cleared_below_);
        nonce_walk_.bind(2, std::int64_t{options_.prune_batch_rows});
        int rc;
        while ((rc = nonce_walk_.step()) == SQLITE_ROW) {
            if (nonce_walk_.column_int64(1) >= cutoff) break;
            last_expired = nonce_walk_.column_int64(0);
            ++walked;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return failed_result<maintenance_step>(failure("finding expired nonces"));
    }
    if (walked == 0) return step;
    auto run = [this](sqlite::statement& s) {
        sqlite::reset_on_exit guard(s);
        return s.run();
    };
    bool ok = run(begin_);
    if (ok) {
        forget_nonces_.bind(1, nonces_cleared_below_);
        forget_nonces_.bind(2, last_expired);
        ok = run(forget_nonces_);
    }
    if (ok) {
        save_state_.bind(1, std::string_view(nonces_cleared_key));
        save_state_.bind(2, last_expired + 1);
        ok = run(save_state_) && run(commit_);
    }
    if (!ok) {
        step.outcome = store_outcome::failed;
        step.error = failure("clearing expired nonces");
        rollback();
        return step;
    }
    nonces_cleared_below_ = last_expired + 1;
    // Work was done: the rest (more nonces, then the cap) waits for the next step.
    step.more = true;
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
            if (count_channel_.step() != SQLITE_ROW)
                return failed_result<maintenance_step>(failure("counting a channel's messages"));
            known = channel_rows_.emplace(channel, count_channel_.column_int64(0)).first;
        }
        const std::int64_t excess = known->second - cap;
        if (excess <= 0) {
            cap_pending_.erase(channel);
            continue;
        }
        std::vector<pruned_row> rows;
        {
            sqlite::reset_on_exit guard(oldest_in_channel_);
            oldest_in_channel_.bind(1, channel);
            oldest_in_channel_.bind(2, std::min<std::int64_t>(excess, options_.prune_batch_rows));
            int rc;
            while ((rc = oldest_in_channel_.step()) == SQLITE_ROW)
                rows.push_back(
                    {oldest_in_channel_.column_int64(0), channel, oldest_in_channel_.column_int64(1)});
            if (rc != SQLITE_DONE)
                return failed_result<maintenance_step>(failure("finding a channel's oldest messages"));
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
    restart_wal_if_due();
    return upkeep_in_order([&] { return prune_expired(now); }, [&] { return clear_expired_nonces(); },
                           [&] { return prune_over_cap(); });
}

}  // namespace parley::server
