#include "store/postgres_presence.hpp"

#include <utility>

#include "log/log.hpp"
#include "store/postgres_control.hpp"
#include "store/postgres_handle.hpp"

namespace parley::server {

namespace {

namespace sql {
constexpr const char* claim = "presence_claim";
constexpr const char* arrive = "presence_arrive";
constexpr const char* depart = "presence_depart";
constexpr const char* beat = "presence_beat";
constexpr const char* enrol = "presence_enrol";
constexpr const char* reset = "presence_reset";
constexpr const char* dead = "presence_dead";
constexpr const char* snapshot = "presence_snapshot";
constexpr const char* retire = "presence_retire";
}  // namespace sql

// The channel of a server's named guests ('*' and the server's origin): see guest_named().
constexpr std::string_view no_channel_prefix = "*";

bool in_no_channel(const presence_entry& e) {
    return e.channel.starts_with(no_channel_prefix);
}

// The database's clock in milliseconds: heartbeats are compared on one clock, whatever the
// servers' clocks say.
#define PARLEY_DB_NOW_MS "(extract(epoch from clock_timestamp()) * 1000)::bigint"

// Notification payloads, one field a line (names, channels and origins hold no newline):
// "+ origin channel folded display account(0|1)", "- origin channel folded", "gone origin".
std::string arrival_text(const std::string& origin, const std::string& channel, const std::string& folded,
                         const std::string& display, bool is_account) {
    return "+\n" + origin + '\n' + channel + '\n' + folded + '\n' + display + '\n' + (is_account ? "1" : "0");
}

std::string departure_text(const std::string& origin, const std::string& channel, const std::string& folded) {
    return "-\n" + origin + '\n' + channel + '\n' + folded;
}

}  // namespace

postgres_presence::postgres_presence(postgres_presence_options options, std::function<void()> wake)
    : options_(std::move(options)), wake_(std::move(wake)) {}

void postgres_presence::claim_guest(const std::string& channel, const std::string& folded, const std::string& display,
                                    std::function<void(bool)> done) {
    queue({change::kind::claim, channel, folded, display, std::move(done)});
}

void postgres_presence::account_arrived(const std::string& channel, const std::string& folded,
                                        const std::string& display) {
    queue({change::kind::arrive, channel, folded, display, {}});
}

void postgres_presence::departed(const std::string& channel, const std::string& folded) {
    queue({change::kind::depart, channel, folded, {}, {}});
}

void postgres_presence::guest_named(const std::string& folded, const std::string& display, bool online) {
    // A named guest's row is in a channel of this server's own that no client can name
    // (channel names have no '*'): the guests' unique index never sets it against another
    // server's, and remote_guest_online() counts it as any guest's row.
    const std::string channel = std::string(no_channel_prefix) + options_.origin;
    if (online) queue({change::kind::name, channel, folded, display, {}});
    else queue({change::kind::depart, channel, folded, {}, {}});
}

bool postgres_presence::remote_guest_online(std::string_view folded) const {
    std::lock_guard lock(remote_mutex_);
    auto it = remote_guests_.find(std::string(folded));
    return it != remote_guests_.end() && it->second > 0;
}

void postgres_presence::queue(change c) {
    {
        std::lock_guard lock(queue_mutex_);
        queued_.push_back(std::move(c));
    }
    wake_();
}

bool postgres_presence::prepare(pg::connection& db, std::string& error) {
    const std::pair<const char*, const char*> statements[] = {
        // A guest's row conflicts with any other guest's of the name in the channel (the
        // partial unique index): inserted means claimed.
        {sql::claim, "INSERT INTO presence (channel, folded, origin, display, is_account) "
                     "VALUES ($1, $2, $3, $4, false) ON CONFLICT DO NOTHING RETURNING pg_notify($5, $6)"},
        {sql::arrive, "INSERT INTO presence (channel, folded, origin, display, is_account) "
                      "VALUES ($1, $2, $3, $4, true) ON CONFLICT DO NOTHING RETURNING pg_notify($5, $6)"},
        {sql::depart, "DELETE FROM presence WHERE channel = $1 AND folded = $2 AND origin = $3 "
                      "RETURNING pg_notify($4, $5)"},
        {sql::beat, "UPDATE nodes SET heartbeat_at = " PARLEY_DB_NOW_MS " WHERE origin = $1"},
        {sql::enrol, "INSERT INTO nodes (origin, name, heartbeat_at) VALUES ($1, $2, " PARLEY_DB_NOW_MS ") "
                     "ON CONFLICT (origin) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at"},
        // A fenced server's rows (others may still list some, claimed after it was declared
        // dead): gone, and the others told, before it starts over.
        {sql::reset, "WITH dropped AS (DELETE FROM presence WHERE origin = $1) SELECT pg_notify($2, $3)"},
        // Servers silent for $1 ms, unless the database itself started less than that ago
        // (then nobody could heartbeat): their rows go with them, and everyone is told.
        {sql::dead, "WITH gone AS (DELETE FROM nodes WHERE heartbeat_at < " PARLEY_DB_NOW_MS " - $1 "
                    "AND pg_postmaster_start_time() < clock_timestamp() - $1 * interval '1 millisecond' "
                    "RETURNING origin), "
                    "dropped AS (DELETE FROM presence p USING gone WHERE p.origin = gone.origin) "
                    "SELECT origin, pg_notify($2, 'gone' || chr(10) || origin) FROM gone"},
        {sql::retire, "DELETE FROM nodes WHERE origin = $1"},
        {sql::snapshot, "SELECT channel, folded, display, is_account, origin FROM presence WHERE origin <> $1"},
    };
    for (const auto& [name, text] : statements)
        if (!db.prepare(name, text, error)) return false;
    if (registered_) {
        // Connected again: a server declared dead meanwhile has no node row any more.
        auto beat = db.run(sql::beat, {options_.origin});
        if (!beat.ok()) {
            error = pg::describe("heartbeating", beat, db);
            return false;
        }
        if (beat.affected() == 0 && !fence(db)) {
            error = "clearing this server's presence: " + db.last_error();
            return false;
        }
    }
    if (auto r = db.run(sql::enrol, {options_.origin, options_.node_name}); !r.ok()) {
        error = pg::describe("registering this server", r, db);
        return false;
    }
    registered_ = true;
    next_beat_ = std::chrono::steady_clock::now() + options_.heartbeat_interval;
    auto rows = db.run(sql::snapshot, {options_.origin});
    if (!rows.ok()) {
        error = pg::describe("reading the other servers' presence", rows, db);
        return false;
    }
    std::vector<presence_entry> all;
    for (int i = 0; i < rows.rows(); ++i)
        all.push_back({std::string(rows.text(i, 0)), std::string(rows.text(i, 1)), std::string(rows.text(i, 2)),
                       rows.boolean(i, 3), std::string(rows.text(i, 4))});
    remember_all(all);
    std::erase_if(all, in_no_channel);  // the hub's channels only
    if (handlers_.replaced) handlers_.replaced(std::move(all));
    return true;
}

bool postgres_presence::work(pg::connection& db) {
    if (std::chrono::steady_clock::now() >= next_beat_ && !heartbeat(db)) return false;
    std::vector<change> batch;
    {
        std::lock_guard lock(queue_mutex_);
        batch.swap(queued_);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (apply(db, batch[i])) continue;
        // The connection failed: what is left waits for the next one, in order (a claim
        // was answered by apply()).
        std::lock_guard lock(queue_mutex_);
        std::vector<change> rest;
        for (std::size_t j = i; j < batch.size(); ++j)
            if (batch[j].what != change::kind::claim) rest.push_back(std::move(batch[j]));
        rest.insert(rest.end(), std::make_move_iterator(queued_.begin()), std::make_move_iterator(queued_.end()));
        queued_ = std::move(rest);
        return false;
    }
    return true;
}

bool postgres_presence::apply(pg::connection& db, change& c) {
    const std::string& origin = options_.origin;
    switch (c.what) {
        case change::kind::claim:
        case change::kind::name: {  // a guest's row: a claim says whether it was taken
            auto r = db.run(sql::claim, {c.channel, c.folded, origin, c.display, options_.channel,
                                         arrival_text(origin, c.channel, c.folded, c.display, false)});
            if (c.done) c.done(r.ok() && r.rows() == 1);
            else if (!r.ok() && db.alive()) log_warn("presence: " + pg::describe("a guest's name", r, db));
            return r.ok() || db.alive();
        }
        case change::kind::arrive: {
            auto r = db.run(sql::arrive, {c.channel, c.folded, origin, c.display, options_.channel,
                                          arrival_text(origin, c.channel, c.folded, c.display, true)});
            return r.ok() || db.alive();
        }
        case change::kind::depart: {
            auto r = db.run(sql::depart,
                            {c.channel, c.folded, origin, options_.channel, departure_text(origin, c.channel, c.folded)});
            if (!r.ok() && db.alive()) log_warn("presence: " + pg::describe("a departure", r, db));
            return r.ok() || db.alive();
        }
    }
    return true;
}

bool postgres_presence::heartbeat(pg::connection& db) {
    next_beat_ = std::chrono::steady_clock::now() + options_.heartbeat_interval;
    auto beat = db.run(sql::beat, {options_.origin});
    if (!beat.ok()) return false;
    if (beat.affected() == 0 && !(fence(db) && db.run(sql::enrol, {options_.origin, options_.node_name}).ok()))
        return false;
    const std::int64_t dead_ms = options_.dead_after.count();
    auto gone = db.run(sql::dead, {dead_ms, options_.channel});
    if (!gone.ok()) return false;
    for (int i = 0; i < gone.rows(); ++i)
        log_warn("presence: server " + std::string(gone.text(i, 0)) + " stopped heartbeating; its users have left");
    return true;
}

void postgres_presence::notified(std::string_view text) {
    const auto parts = pg::payload_fields(text);
    if (parts.size() == 2 && parts[0] == "gone") {
        if (parts[1] == options_.origin) return;  // this server's own reset
        forget_origin(parts[1]);
        if (handlers_.gone) handlers_.gone(parts[1]);
        return;
    }
    const bool arrival = parts.size() == 6 && parts[0] == "+";
    const bool departure = parts.size() == 4 && parts[0] == "-";
    if (!arrival && !departure) return;
    if (parts[1] == options_.origin) return;  // ours: the hub knows
    presence_entry e{parts[2], parts[3], arrival ? parts[4] : std::string(), arrival && parts[5] == "1", parts[1]};
    if (departure) {
        // The departure names no kind: the one remembered tells whether it was a guest.
        std::lock_guard lock(remote_mutex_);
        if (auto it = remote_.find(key_of(e.origin, e.channel, e.folded)); it != remote_.end()) {
            e.display = it->second.display;
            e.is_account = it->second.is_account;
        }
    }
    remember(e, arrival);
    if (handlers_.changed && !in_no_channel(e)) handlers_.changed(e, arrival);
}

bool postgres_presence::fence(pg::connection& db) {
    // Paused or cut off past dead_after: the others gave this server's names away. It
    // keeps none: its connections close, and any row it still has goes.
    log_warn("presence: this server was declared dead (paused or cut off too long); closing its connections");
    if (handlers_.fenced) handlers_.fenced();
    return db.run(sql::reset, {options_.origin, options_.channel, "gone\n" + options_.origin}).ok();
}

void postgres_presence::retire(pg::connection& db) {
    if (!registered_) return;
    auto gone = db.run(sql::reset, {options_.origin, options_.channel, "gone\n" + options_.origin});
    auto row = db.run(sql::retire, {options_.origin});
    if (!gone.ok() || !row.ok()) log_warn("presence: could not retire this server; the others will declare it dead");
}

void postgres_presence::disconnected() {
    std::vector<change> claims;
    {
        std::lock_guard lock(queue_mutex_);
        std::erase_if(queued_, [&](change& c) {
            if (c.what != change::kind::claim) return false;
            claims.push_back(std::move(c));
            return true;
        });
    }
    for (auto& c : claims) c.done(false);
}

std::string postgres_presence::key_of(const std::string& origin, const std::string& channel, const std::string& folded) {
    return origin + '\n' + channel + '\n' + folded;
}

void postgres_presence::remember_all(std::vector<presence_entry> rows) {
    std::lock_guard lock(remote_mutex_);
    remote_.clear();
    remote_guests_.clear();
    for (auto& e : rows) {
        if (!e.is_account) ++remote_guests_[e.folded];
        remote_.emplace(key_of(e.origin, e.channel, e.folded), std::move(e));
    }
}

void postgres_presence::remember(const presence_entry& e, bool present) {
    std::lock_guard lock(remote_mutex_);
    const std::string key = key_of(e.origin, e.channel, e.folded);
    if (present) {
        if (remote_.emplace(key, e).second && !e.is_account) ++remote_guests_[e.folded];
        return;
    }
    auto it = remote_.find(key);
    if (it == remote_.end()) return;
    if (!it->second.is_account && --remote_guests_[e.folded] <= 0) remote_guests_.erase(e.folded);
    remote_.erase(it);
}

void postgres_presence::forget_origin(const std::string& origin) {
    std::lock_guard lock(remote_mutex_);
    for (auto it = remote_.begin(); it != remote_.end();) {
        if (it->second.origin != origin) {
            ++it;
            continue;
        }
        if (!it->second.is_account && --remote_guests_[it->second.folded] <= 0) remote_guests_.erase(it->second.folded);
        it = remote_.erase(it);
    }
}

}  // namespace parley::server
