#pragma once
// The bus of servers that share a PostgreSQL database: its event stream
// (docs/architecture/stream.md). Every write batch appends its events to the `events`
// table in the transaction that stores them, at dense positions, and notifies. This
// server's reader thread LISTENs on its own connection and reads the positions it has not
// delivered, in order, on each wake-up and at least every poll interval (a notification
// that went missing is repaired by the next read). The stream_sequencer merges those with
// this server's own commits, which arrive sooner from the storage thread.
//
// Control notices (kicks, bans, logins, logouts, failed logins) go through the control log,
// read the same way: a reader that was away reads what it missed. Typing notices are not
// stored: they go to the other servers as notifications alone, best effort.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bus/bus.hpp"
#include "bus/stream_sequencer.hpp"
#include "metrics/metrics.hpp"
#include "store/postgres_presence.hpp"

namespace parley::server {

namespace pg {
class connection;
}

struct postgres_stream_options {
    std::string conninfo;
    /// This server's origin, as the store writes it (postgres_backend_options::origin).
    std::string origin;
    /// The reader's application_name in pg_stat_activity ("parley stream <node name>").
    std::string application_name = "parley stream";
    /// This server's name in the `nodes` table (presence heartbeats).
    std::string node_name;
    /// Presence: how often this server heartbeats, and after how long a silent one is dead.
    std::chrono::milliseconds heartbeat_interval{1000};
    std::chrono::milliseconds dead_after{6000};
    /// The longest a reader waits between reads without a notification.
    std::chrono::milliseconds poll_interval{1000};
    /// How long it waits before connecting again after losing its connection.
    std::chrono::milliseconds reconnect_pause{500};
    /// Events read per query at most; a full page is followed by the next at once.
    int read_page = 1000;
};

class postgres_stream final : public message_bus {
public:
    /// Connects, listens and reads the stream's head (delivery starts after it). Null with
    /// `error` set to one line when the database cannot be reached. `metrics` must outlive
    /// the stream.
    static std::unique_ptr<postgres_stream> open(const postgres_stream_options& options, server_metrics& metrics,
                                                 std::string& error);
    ~postgres_stream() override;

    /// Sets the receiver; called once, before start().
    void subscribe(handler receive) override;
    /// Starts the reader thread: delivery of other servers' events begins.
    void start();
    /// This server's event: a committed one (with a position) goes through the sequencer;
    /// a typing notice is delivered here now and sent to the other servers.
    void publish(channel_event event) override;
    void send_control(control_notice notice) override;
    void on_control(std::function<void(const control_notice&)> receive) override { control_ = std::move(receive); }
    /// Presence rides the reader's thread and connection (postgres_presence.hpp).
    presence_exchange* presence() override { return &presence_; }
    /// What to do when this server fell so far behind that events it never delivered were
    /// pruned (its clients have gaps: the server closes their connections so that they
    /// resume with `since`). Called on the reader thread; set before start().
    void on_events_lost(std::function<void()> lost) { lost_ = std::move(lost); }
    /// What to do after the reader connected again, before it reads the control notices it
    /// missed: read the account tables again, in case the reader was away for longer than
    /// the control log keeps them. Called on the reader thread; set before start().
    void on_reconnected(std::function<void()> reconnected) { reconnected_ = std::move(reconnected); }
    /// Stops the reader thread (also on destruction). Events after it are not delivered.
    void stop();

    /// The newest position delivered here (tests, metrics).
    std::int64_t delivered() const { return sequencer_.delivered(); }

    class open_tag {
        friend class postgres_stream;
        open_tag() = default;
    };
    postgres_stream(open_tag, const postgres_stream_options& options, server_metrics& metrics,
                    std::unique_ptr<pg::connection> db, std::string channel_prefix, std::int64_t head, int wake_fd);

private:
    void run();
    /// Connects again and listens; false when the database is still unreachable.
    bool reconnect();
    bool listen(std::string& error);
    /// Reads every event after what was delivered, page by page; false when the connection failed.
    bool read_events();
    /// Sends the typing and control notices queued; false when the connection failed.
    bool send_notices();
    /// Delivers the control log's rows after control_read_, when notified, after a
    /// reconnection, or a poll interval after the last read; false when the connection failed.
    bool read_control_if_due();
    /// Waits for a notification, a wake-up or the poll interval; false when the connection failed.
    bool wait_for_news();
    /// Delivers the typing notifications libpq holds; notes the control log's wake-ups.
    void take_notifications();
    void wake();
    void deliver_typing(const std::string& text);
    void deliver_control(const std::string& text);
    /// A wake-up for the log, or a notice from a server older than the log.
    void take_control_notification(const char* payload);

    postgres_stream_options options_;
    server_metrics& metrics_;
    std::unique_ptr<pg::connection> db_;  ///< reader thread only (after open)
    std::string channel_prefix_;          ///< this deployment's notification channels
    stream_sequencer sequencer_;
    handler receive_;
    std::function<void()> lost_;
    std::function<void()> reconnected_;
    std::function<void(const control_notice&)> control_;
    std::int64_t control_read_ = 0;        ///< reader thread: the control log's last position read
    bool control_due_ = true;              ///< reader thread: a wake-up came, read the log
    /// Reader thread: per sender, the number of the last notice applied (a resend is skipped).
    std::unordered_map<std::string, std::uint64_t> applied_numbers_;
    static constexpr std::size_t max_senders_remembered = 4096;
    std::int64_t control_read_at_ms_ = 0;  ///< reader thread: when it last read
    int wake_fd_ = -1;  ///< an eventfd: publish() and stop() wake the reader
    std::atomic<bool> stopping_{false};
    std::thread thread_;

    postgres_presence presence_;  ///< its reader-thread side is called from run()

    std::mutex notices_mutex_;
    std::vector<std::string> typing_out_;   ///< guarded by notices_mutex_: notices to send
    std::vector<std::string> control_out_;  ///< guarded by notices_mutex_
    std::uint64_t control_numbered_ = 0;    ///< guarded by notices_mutex_: the last number given
};

}  // namespace parley::server
