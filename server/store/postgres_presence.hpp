#pragma once
// Presence between the servers of one PostgreSQL database (docs/architecture/stream.md,
// Presence). The `presence` table holds every name online in a channel on some server, one
// row per name, channel and server (and each guest name online on a server, in a channel
// of that server's own: guest_named()); guests' rows are unique per channel across servers
// (a partial unique index), so a guest name is claimed by one INSERT that either takes it
// or finds it held. Every change notifies the other servers in the statement that makes
// it, in commit order.
//
// Each server heartbeats in `nodes` every second. A server whose heartbeat is older than
// `dead_after` is declared dead by the first live server that looks: its node row and its
// presence rows go in one statement, which notifies `gone`; every server then sends one
// `left` per name no other server holds. A server that finds its own node row gone (it was
// paused or cut off that long) fences itself: it closes every connection and starts over.
//
// It rides the event stream's reader thread and connection (postgres_stream calls
// prepare(), work() and notified() there); the presence_exchange members may be called
// from any thread and wake that thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/presence.hpp"

namespace parley::server {

namespace pg {
class connection;
}

struct postgres_presence_options {
    std::string origin;     ///< this server's origin (random per start)
    std::string node_name;  ///< for operators reading `nodes`
    std::string channel;    ///< the notification channel (the deployment's prefix + "presence")
    std::chrono::milliseconds heartbeat_interval{1000};
    /// A server silent this long is dead (its users get `left`); the documented bound for
    /// that is dead_after + heartbeat_interval + the time to notify.
    std::chrono::milliseconds dead_after{6000};
};

class postgres_presence final : public presence_exchange {
public:
    postgres_presence(postgres_presence_options options, std::function<void()> wake);

    // presence_exchange
    void claim_guest(const std::string& channel, const std::string& folded, const std::string& display,
                     std::function<void(bool)> done) override;
    void account_arrived(const std::string& channel, const std::string& folded, const std::string& display) override;
    void departed(const std::string& channel, const std::string& folded) override;
    void guest_named(const std::string& folded, const std::string& display, bool online) override;
    bool remote_guest_online(std::string_view folded) const override;
    void set_handlers(presence_handlers handlers) override { handlers_ = std::move(handlers); }

    // The reader thread's side.
    /// After each (re)connection, once the channel is listened to: prepares the statements,
    /// registers this server (or finds it was declared dead meanwhile: fenced) and reads
    /// what the others hold. False when the connection failed.
    bool prepare(pg::connection& db, std::string& error);
    /// Heartbeat and dead servers when due, then the queued claims and changes in order.
    /// False when the connection failed (what was not done stays queued; claims are
    /// answered false).
    bool work(pg::connection& db);
    /// A notification on options().channel.
    void notified(std::string_view text);
    /// This server stops: its node row and its names go, and the others are told at once.
    void retire(pg::connection& db);
    /// The connection is gone: claims waiting are refused (nothing can be claimed now).
    void disconnected();
    const postgres_presence_options& options() const { return options_; }

private:
    struct change {
        enum class kind { claim, arrive, depart, name } what;
        std::string channel, folded, display;
        std::function<void(bool)> done;  ///< claims only
    };
    void queue(change c);
    /// Runs one change; false when the connection failed.
    bool apply(pg::connection& db, change& c);
    bool heartbeat(pg::connection& db);
    /// Found declared dead: tells the hub to close every connection and deletes this
    /// server's rows (the others told). False when the connection failed.
    bool fence(pg::connection& db);
    /// Replaces what is known of the others by what `rows` hold (a snapshot).
    void remember_all(std::vector<presence_entry> rows);
    void remember(const presence_entry& e, bool present);
    void forget_origin(const std::string& origin);
    static std::string key_of(const std::string& origin, const std::string& channel, const std::string& folded);

    const postgres_presence_options options_;
    const std::function<void()> wake_;
    presence_handlers handlers_;
    bool registered_ = false;  ///< reader thread: the node row was inserted once
    std::chrono::steady_clock::time_point next_beat_{};

    std::mutex queue_mutex_;
    std::vector<change> queued_;  ///< guarded by queue_mutex_

    mutable std::mutex remote_mutex_;  ///< guards the two below (written by the reader thread)
    std::unordered_map<std::string, presence_entry> remote_;  ///< key_of -> entry, other servers only
    std::unordered_map<std::string, int> remote_guests_;      ///< folded -> rows of other servers' guests
};

}  // namespace parley::server
