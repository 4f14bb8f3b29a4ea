#include "store/postgres_stream.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <cerrno>
#include <string_view>
#include <utility>

#include "log/log.hpp"
#include "store/postgres_control.hpp"
#include "store/postgres_handle.hpp"
#include "store/postgres_schema.hpp"

namespace parley::server {

namespace {

namespace sql {
constexpr const char* read = "stream_read";
constexpr const char* typing = "stream_typing";
constexpr const char* name = "stream_name";
}  // namespace sql

// Notification channels, after the deployment's prefix: a commit's wake-up
// (postgres_backend.cpp sends it), typing notices, control notices.
constexpr const char* events_channel = "events";
constexpr const char* typing_channel = "typing";
using pg::control_channel;
constexpr const char* presence_channel = "presence";

std::int64_t steady_ms() { return server_metrics::steady_now_ms(); }

// A typing notice as a notification payload: origin, channel, skipped user and the frame,
// one per line (none of them holds a newline: names are validated, the frame is JSON).
std::string typing_text(const std::string& origin, const channel_event& e) {
    return origin + '\n' + e.channel + '\n' + e.skip_user + '\n' + e.payload;
}

}  // namespace

std::unique_ptr<postgres_stream> postgres_stream::open(const postgres_stream_options& options,
                                                       server_metrics& metrics, std::string& error) {
    auto db = pg::connection::open(options.conninfo, error);
    if (!db) return nullptr;
    auto head = db->exec("SELECT position FROM stream_head");
    if (!head.ok() || head.rows() != 1) {
        error = pg::describe("reading the event stream's head", head, *db);
        return nullptr;
    }
    std::string prefix = pg::notification_prefix(*db, error);
    if (prefix.empty()) return nullptr;
    // Control notices older than this server are not its business, as events are not.
    const std::int64_t control_head = pg::control_head(*db);
    if (control_head < 0) {
        error = "reading the control log's head: " + db->last_error();
        return nullptr;
    }
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        error = "cannot make the event stream's wake-up: errno " + std::to_string(errno);
        return nullptr;
    }
    auto stream = std::make_unique<postgres_stream>(open_tag{}, options, metrics, std::move(db), std::move(prefix),
                                                    head.int64(0, 0), fd);
    stream->control_read_ = control_head;
    if (!stream->listen(error)) return nullptr;
    return stream;
}

postgres_stream::postgres_stream(open_tag, const postgres_stream_options& options, server_metrics& metrics,
                                 std::unique_ptr<pg::connection> db, std::string channel_prefix, std::int64_t head,
                                 int wake_fd)
    : options_(options),
      metrics_(metrics),
      db_(std::move(db)),
      channel_prefix_(std::move(channel_prefix)),
      sequencer_([this](channel_event e) {
          // An echo left over from an event already delivered moves nothing on.
          if (e.broadcast) metrics_.stream_delivered.store(e.position, std::memory_order_relaxed);
          if (receive_) receive_(e);
      }),
      wake_fd_(wake_fd),
      presence_({options.origin, options.node_name, channel_prefix_ + presence_channel, options.heartbeat_interval,
                 options.dead_after},
                [this] { wake(); }) {
    sequencer_.start_after(head);
    metrics_.stream_enabled.store(true, std::memory_order_relaxed);
    metrics_.stream_head.store(head, std::memory_order_relaxed);
    metrics_.stream_delivered.store(head, std::memory_order_relaxed);
    metrics_.stream_read_at_ms.store(steady_ms(), std::memory_order_relaxed);
}

postgres_stream::~postgres_stream() {
    stop();
    ::close(wake_fd_);
}

void postgres_stream::subscribe(handler receive) { receive_ = std::move(receive); }

void postgres_stream::start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void postgres_stream::stop() {
    stopping_.store(true);
    wake();
    if (thread_.joinable()) thread_.join();
}

void postgres_stream::wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
}

void postgres_stream::publish(channel_event event) {
    if (event.position != 0) {
        const bool after_gap = event.position > sequencer_.next();
        sequencer_.own(std::move(event));
        // Another server committed before us and its event is not here yet: read it now
        // rather than when its notification arrives.
        if (after_gap) wake();
        return;
    }
    {
        std::lock_guard lock(notices_mutex_);
        typing_out_.push_back(typing_text(options_.origin, event));
    }
    wake();
    if (receive_) receive_(event);
}

bool postgres_stream::listen(std::string& error) {
    // Named, so that an operator (or a test) can tell the reader among the connections.
    if (!db_->prepare(sql::name, "SELECT set_config('application_name', $1, false)", error)) return false;
    if (auto r = db_->run(sql::name, {options_.application_name}); !r.ok()) {
        error = pg::describe("naming the event stream's connection", r, *db_);
        return false;
    }
    // The prefix is "parley_<oid>_": an identifier that needs no quoting.
    const std::string listen = "LISTEN " + channel_prefix_ + events_channel + "; LISTEN " + channel_prefix_ +
                               typing_channel + "; LISTEN " + channel_prefix_ + control_channel +
                               "; LISTEN " + channel_prefix_ + presence_channel;
    if (auto r = db_->exec(listen.c_str()); !r.ok()) {
        error = pg::describe("listening for the event stream", r, *db_);
        return false;
    }
    // Everything from the first position not delivered, with the head in the same snapshot
    // (column 0; one row with NULL event columns when there is nothing new): a commit
    // between two statements would look like a gap.
    if (!db_->prepare(sql::read,
                      "SELECT h.position, e.position, e.channel, e.payload, e.origin, e.session "
                      "FROM stream_head h LEFT JOIN LATERAL (SELECT position, channel, payload, origin, session "
                      "FROM events WHERE position >= $1 ORDER BY position LIMIT $2) e ON true ORDER BY e.position",
                      error))
        return false;
    return db_->prepare(sql::typing, "SELECT pg_notify($2::text, t) FROM unnest($1::text[]) AS t", error) &&
           pg::prepare_control_log(*db_, error);
}

bool postgres_stream::reconnect() {
    std::string error;
    if (db_->reconnect(error) && listen(error) && presence_.prepare(*db_, error)) {
        log_info("event stream: connected again; catching up from position " + std::to_string(sequencer_.next()));
        if (reconnected_) reconnected_();
        control_due_ = true;  // what was sent meanwhile woke nobody here
        return true;
    }
    return false;
}

void postgres_stream::run() {
    std::string error;
    bool connected = presence_.prepare(*db_, error);
    if (!connected) log_warn("presence: " + error);
    while (!stopping_.load()) {
        if (!connected) {
            presence_.disconnected();
            connected = reconnect();
            if (!connected) {
                // Nothing here is read meanwhile: /readyz says so once read_at is old.
                pollfd p{wake_fd_, POLLIN, 0};
                ::poll(&p, 1, static_cast<int>(options_.reconnect_pause.count()));
                continue;
            }
        }
        // Read on every wake-up, notified or not: a missed notification costs one interval.
        connected = send_notices() && presence_.work(*db_) && read_events() && read_control_if_due() &&
                    wait_for_news();
        sequencer_.release_overdue();
        if (!connected) log_warn("event stream: lost its connection: " + db_->last_error());
    }
    // Stopping: the departures of the connections that closed go out, then the rest of this
    // server's presence, so that the others need not wait to declare it dead.
    if (connected && presence_.work(*db_)) presence_.retire(*db_);
}

void postgres_stream::send_control(control_notice notice) {
    {
        std::lock_guard lock(notices_mutex_);
        control_out_.push_back(pg::encode_control(options_.origin, ++control_numbered_, notice));
    }
    wake();
}

bool postgres_stream::send_notices() {
    std::vector<std::string> typing, control;
    {
        std::lock_guard lock(notices_mutex_);
        typing.swap(typing_out_);
        control.swap(control_out_);
    }
    if (!control.empty() && !pg::append_control(*db_, control, channel_prefix_ + control_channel)) {
        // Sent again after the reconnection: a kick or a logout must not be lost to a blip.
        // One whose commit went through but whose answer was lost is then in the log twice,
        // with one number: the readers apply it once (deliver_control).
        std::lock_guard lock(notices_mutex_);
        control_out_.insert(control_out_.begin(), control.begin(), control.end());
        return false;
    }
    if (typing.empty()) return true;
    return db_->run(sql::typing, {pg::text_array(typing), channel_prefix_ + typing_channel}).ok();  // a lost typing notice is only an indicator
}

bool postgres_stream::read_events() {
    for (;;) {
        const std::int64_t next = sequencer_.next();
        auto page = db_->run(sql::read, {next, std::int64_t{options_.read_page}});
        if (!page.ok()) return false;
        metrics_.stream_reads.fetch_add(1, std::memory_order_relaxed);
        metrics_.stream_read_at_ms.store(steady_ms(), std::memory_order_relaxed);
        if (page.rows() == 0) return false;  // stream_head has its one row
        const std::int64_t head = page.int64(0, 0);
        const int rows = page.is_null(0, 1) ? 0 : page.rows();
        metrics_.stream_head.store(head, std::memory_order_relaxed);
        const std::int64_t first = rows > 0 ? page.int64(0, 1) : head + 1;
        if (first > next && head >= next) {
            // Positions are dense and the head is of the same snapshot, so what is missing
            // was pruned before this server read it (it was paused or cut off for longer
            // than the events are kept).
            const std::int64_t lost = first - next;
            metrics_.stream_events_lost.fetch_add(static_cast<std::uint64_t>(lost), std::memory_order_relaxed);
            log_warn("event stream: " + std::to_string(lost) + " events were pruned before this server read them; "
                     "closing its connections so that their clients resume");
            sequencer_.start_after(first - 1);
            if (lost_) lost_();
        }
        for (int i = 0; i < rows; ++i) {
            channel_event e;
            e.position = page.int64(i, 1);
            e.channel = page.text(i, 2);
            e.payload = page.text(i, 3);
            // A session id names a connection on its own server only.
            const bool ours = page.text(i, 4) == options_.origin;
            if (ours) e.skip_session = page.text(i, 5);
            sequencer_.read(std::move(e), ours);
        }
        if (rows < options_.read_page) return true;
    }
}

bool postgres_stream::read_control_if_due() {
    const std::int64_t now = steady_ms();
    if (!control_due_ && now - control_read_at_ms_ < options_.poll_interval.count()) return true;
    std::vector<pg::control_row> rows;
    for (;;) {
        if (!pg::read_control(*db_, control_read_, options_.read_page, rows)) return false;
        control_due_ = false;
        control_read_at_ms_ = now;
        if (!rows.empty() && rows.front().position > control_read_ + 1)
            log_warn("event stream: " + std::to_string(rows.front().position - control_read_ - 1) +
                     " control notices were pruned before this server read them");
        for (const auto& row : rows) {
            control_read_ = row.position;
            deliver_control(row.payload);
        }
        if (rows.size() < static_cast<std::size_t>(options_.read_page)) return true;
    }
}

void postgres_stream::take_notifications() {
    PGconn* conn = db_->get();
    while (PGnotify* n = PQnotifies(conn)) {
        const std::string_view channel = n->relname;
        if (channel == channel_prefix_ + typing_channel) deliver_typing(n->extra);
        else if (channel == channel_prefix_ + control_channel) take_control_notification(n->extra);
        else if (channel == presence_.options().channel) presence_.notified(n->extra);
        PQfreemem(n);  // a commit's wake-up needs nothing more: every turn of the loop reads events
    }
}

bool postgres_stream::wait_for_news() {
    PGconn* conn = db_->get();
    // Notifications that came in with the answers to the reads are in libpq's queue
    // already, and the socket will not say so again.
    take_notifications();
    const int socket = PQsocket(conn);
    if (socket < 0) return false;
    pollfd fds[2] = {{socket, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(options_.poll_interval.count()));
    if (ready < 0 && errno != EINTR) return false;
    if (fds[1].revents & POLLIN) {
        std::uint64_t count = 0;
        [[maybe_unused]] auto got = ::read(wake_fd_, &count, sizeof count);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (PQconsumeInput(conn) == 0) return false;
        take_notifications();
    }
    return PQstatus(conn) == CONNECTION_OK;
}

void postgres_stream::deliver_typing(const std::string& text) {
    // origin \n channel \n skip_user \n payload
    const auto a = text.find('\n');
    const auto b = a == std::string::npos ? a : text.find('\n', a + 1);
    const auto c = b == std::string::npos ? b : text.find('\n', b + 1);
    if (c == std::string::npos) return;
    if (std::string_view(text).substr(0, a) == options_.origin) return;  // delivered here already
    channel_event e;
    e.channel = text.substr(a + 1, b - a - 1);
    e.skip_user = text.substr(b + 1, c - b - 1);
    e.payload = text.substr(c + 1);
    if (receive_) receive_(e);
}

void postgres_stream::take_control_notification(const char* payload) {
    if (pg::classify_notification(payload) == pg::control_wakeup::read_log)
        control_due_ = true;  // read from the log, which has it
    else
        deliver_control(payload);  // a server older than the log, running beside this one
}

void postgres_stream::deliver_control(const std::string& text) {
    auto sent = pg::decode_control(text);
    if (!sent || sent->origin == options_.origin) return;  // ours: applied here already
    if (sent->number != 0) {
        // A sender's notices enter the log in the order it numbered them; one sent again
        // after a lost answer comes after its first copy with the same number.
        if (applied_numbers_.size() >= max_senders_remembered && !applied_numbers_.contains(sent->origin))
            applied_numbers_.clear();  // origins of servers long gone; a resend is rarer still
        std::uint64_t& applied = applied_numbers_[sent->origin];
        if (sent->number <= applied) return;
        applied = sent->number;
    }
    if (control_) control_(sent->notice);
}

}  // namespace parley::server
