#include "net/ws_session.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <random>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "app/log.hpp"
#include "chat/clock.hpp"
#include "net/guarded.hpp"
#include "net/tls_stream.hpp"
#include "parley/core/codec.hpp"
#include "ws/frame.hpp"

namespace parley::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

namespace {

/// Reads per wake-up before yielding the thread to other sessions.
constexpr int max_reads_per_turn = 4;
/// How long a closing connection may take to answer our close frame before the socket
/// is closed anyway: long enough for a slow link, short enough for a quick shutdown.
constexpr std::chrono::milliseconds close_deadline{1500};
/// Frames written per gather write; Linux takes up to 1,024 iovecs per writev.
constexpr std::size_t max_frames_per_write = 512;

/// One read buffer per thread: idle connections own none (uWebSockets' trick), so an
/// idle connection costs a few hundred bytes, not 64 KiB.
thread_local std::array<char, 64 * 1024> read_buffer;

const chat::shared_frame& heartbeat_frame(bool authenticated) {
    static const chat::shared_frame named = chat::make_frame(heartbeat_notice{true});
    static const chat::shared_frame anonymous = chat::make_frame(heartbeat_notice{false});
    return authenticated ? named : anonymous;
}

/// Every frame a connection sends, of any type, is charged to a request budget before it is
/// decoded, so no kind of frame (heartbeat replies, joins, history requests) can be sent
/// back to back at no cost. It is five times the posting rate, and its burst lets a
/// reconnecting client rejoin its every channel and page their history at once.
chat::token_bucket make_request_budget(const server_config& config) {
    const double burst = std::max(config.rate_burst * 5, static_cast<double>(config.max_channels_per_connection) * 2 + 20);
    return chat::token_bucket(config.rate_limit * 5, burst);
}

/// Posting messages (PROTOCOL.md, Rate limit): the frames the token bucket limits.
bool is_rate_limited(const client_message& m) {
    return std::holds_alternative<post_message>(m) || std::holds_alternative<edit_request>(m) ||
           std::holds_alternative<delete_request>(m) || std::holds_alternative<typing_request>(m);
}

}  // namespace

template <class Stream>
ws_session<Stream>::ws_session(Stream stream, session_context& ctx, std::string session_id, std::string peer,
                               std::string address, address_slot slot)
    : chat::connection(std::move(session_id), std::move(address)),
      stream_(std::move(stream)),
      timer_(stream_.get_executor()),
      ctx_(ctx),
      peer_(std::move(peer)),
      parser_(ctx.config.max_frame),
      bucket_(ctx.config.rate_limit, ctx.config.rate_burst),
      requests_(make_request_budget(ctx.config)),
      slot_(std::move(slot)) {
    ctx_.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.connections_total.fetch_add(1, std::memory_order_relaxed);
}

template <class Stream>
ws_session<Stream>::~ws_session() { ctx_.metrics.connections_open.fetch_sub(1, std::memory_order_relaxed); }

template <class Stream>
std::shared_ptr<ws_session<Stream>> ws_session<Stream>::self() {
    return std::static_pointer_cast<ws_session>(shared_from_this());
}

template <class Stream>
net::ip::tcp::socket& ws_session<Stream>::socket() {
    if constexpr (is_tls)
        return beast::get_lowest_layer(stream_).socket();
    else
        return stream_;
}

template <class Stream>
void ws_session<Stream>::start(std::string handshake, std::optional<chat::verified_account> account,
                               std::string channel, std::optional<message_id> since, std::string leftover) {
    net::dispatch(stream_.get_executor(), [self = self(), handshake = std::move(handshake),
                                           account = std::move(account), channel = std::move(channel), since,
                                           leftover = std::move(leftover)]() mutable {
      self->guarded([&] {
        // The plain path reads with read_some after a readiness wait; TLS reads asynchronously.
        error_code ec;
        if constexpr (!is_tls) self->stream_.non_blocking(true, ec);
        // The 101 answer is the first "frame" in the queue: one writer, in order.
        self->send(chat::make_raw_frame(std::move(handshake)));
        log_info("open " + self->peer_ + " session=" + self->session_id() + " channel=" + channel);
        self->ctx_.hub.open(self, std::move(account), std::move(channel), since);
        if (!leftover.empty()) self->feed(leftover.data(), leftover.size());
        // Spread heartbeats over the period so that no tick sends thousands at once.
        thread_local std::minstd_rand jitter{std::random_device{}()};
        const int period = self->ctx_.config.heartbeat_ms;
        self->do_heartbeat(std::chrono::milliseconds(period / 2 + static_cast<int>(jitter() % (period / 2 + 1))));
        if constexpr (is_tls) {
            // Even closing, TLS reads on until the peer's close frame (see on_tls_read).
            if (!self->tls_.peer_closed) self->do_read();
        } else {
            if (!self->closing_) self->do_read();
        }
      });
    });
}

template <class Stream>
template <class F>
void ws_session<Stream>::guarded(F&& f) noexcept {
    // The one catch at this session's edge: whatever a handler throws ends this
    // connection alone, never the event loop or the process.
    server::guarded("websocket session", std::forward<F>(f), [this] { finish("internal error"); });
}

// ------------------------------------------------------------------ reading

template <class Stream>
void ws_session<Stream>::do_read() {
    if constexpr (is_tls) {
        stream_.async_read_some(net::buffer(tls_.buffer), [self = self()](const error_code& ec, std::size_t n) {
            self->guarded([&] { self->on_tls_read(ec, n); });
        });
    } else {
        stream_.async_wait(net::ip::tcp::socket::wait_read,
                           [self = self()](const error_code& ec) { self->guarded([&] { self->on_readable(ec); }); });
    }
}

template <class Stream>
void ws_session<Stream>::on_readable(const error_code& ec) requires(!is_tls) {
    if (finished_) return;
    if (ec) return finish(ec.message());
    for (int i = 0; i < max_reads_per_turn; ++i) {
        error_code read_ec;
        const std::size_t n = stream_.read_some(net::buffer(read_buffer), read_ec);
        if (read_ec == net::error::would_block || read_ec == net::error::try_again) break;
        if (read_ec) return finish(read_ec == net::error::eof ? "closed by peer" : read_ec.message());
        // While closing, input is read only to see the peer's close or EOF.
        if (!closing_) feed(read_buffer.data(), n);
        if (finished_) return;
        if (n < read_buffer.size()) break;
    }
    do_read();
}

template <class Stream>
void ws_session<Stream>::on_tls_read(const error_code& ec, std::size_t bytes) requires(is_tls) {
    if (finished_) return;
    if (ec) {
        // close_notify reads as eof; a peer that just drops TCP reads as stream_truncated.
        const bool peer_left = ec == net::error::eof || ec == net::ssl::error::stream_truncated;
        return finish(peer_left ? "closed by peer" : ec.message());
    }
    // Unlike the plain path the parser runs while closing too: TLS may be shut down only after
    // the peer's close frame (OpenSSL fails a shutdown that data follows), so that frame must
    // be seen. The callbacks ignore anything else once closing.
    feed(tls_.buffer.data(), bytes);
    if (finished_) return;
    if (tls_.peer_closed) {
        // The peer's close frame was its last data: read no more. Once ours is out too, TLS
        // is shut down (here, or in on_write if ours is still queued).
        if (tls_.close_written) do_tls_shutdown();
        return;
    }
    do_read();
}

template <class Stream>
void ws_session<Stream>::do_tls_shutdown() requires(is_tls) {
    if (tls_.shutting_down || finished_) return;
    tls_.shutting_down = true;
    // Both close frames are through and no read is pending. close_notify is TLS's end of
    // stream, what shutdown_send is on a plain socket: the peer sees it and closes. The close
    // deadline set in start_close bounds the wait for its answer.
    stream_.async_shutdown([self = self()](const error_code&) { self->finish("tls shutdown"); });
}

template <class Stream>
void ws_session<Stream>::feed(char* data, std::size_t size) {
    parser_.feed(std::span<char>(data, size), *this);
}

template <class Stream>
void ws_session<Stream>::on_text(std::string_view payload) {
    if constexpr (is_tls) {
        if (closing_) return;  // the parser still runs while a TLS session closes
    }
    const auto now = chat::steady_now_ms();
    if (!requests_.try_take(now))
        return chat::hub::send_error(*this, ctx_.metrics, parley::error_code::rate_limited,
                                     "too many requests: slow down", std::nullopt);
    auto decoded = decode_client_frame(payload);
    if (!decoded) {
        const auto& e = decoded.error();
        return chat::hub::send_error(*this, ctx_.metrics, e.code, e.message, e.ref);
    }
    client_frame& frame = decoded.value();
    if (std::holds_alternative<heartbeat_reply>(frame.message)) {
        unanswered_heartbeats_ = 0;
        return;
    }
    if (is_rate_limited(frame.message) && !bucket_.try_take(now))
        return chat::hub::send_error(*this, ctx_.metrics, parley::error_code::rate_limited, "slow down", frame.nonce);
    ctx_.hub.handle(self(), std::move(frame));
}

template <class Stream>
void ws_session<Stream>::on_binary(std::string_view) {
    if constexpr (is_tls) {
        if (closing_) return;
    }
    if (!requests_.try_take(chat::steady_now_ms()))
        return chat::hub::send_error(*this, ctx_.metrics, parley::error_code::rate_limited,
                                     "too many requests: slow down", std::nullopt);
    chat::hub::send_error(*this, ctx_.metrics, parley::error_code::invalid_message,
                          "binary frames are not accepted: send JSON in text frames", std::nullopt);
}

template <class Stream>
void ws_session<Stream>::on_ping(std::string_view payload) { send(chat::make_pong_frame(payload)); }

template <class Stream>
void ws_session<Stream>::on_pong(std::string_view) {}

template <class Stream>
void ws_session<Stream>::on_close(std::uint16_t code, std::string_view) {
    if constexpr (is_tls) tls_.peer_closed = true;
    // Echo the peer's code (RFC 6455 5.5.1); a close without a code is answered without one.
    start_close(code, "", false);
}

template <class Stream>
void ws_session<Stream>::on_failure(std::uint16_t code) {
    const char* why = code == ws::close_code::message_too_big  ? "message too big"
                      : code == ws::close_code::invalid_payload ? "invalid UTF-8"
                                                                : "protocol error";
    start_close(code, why, false);
}

// ------------------------------------------------------------------ writing

template <class Stream>
chat::send_outcome ws_session<Stream>::enqueue(chat::shared_frame frame) {
    std::unique_lock lock(mutex_);
    if (send_closed_) return chat::send_outcome::dropped;
    const std::size_t size = frame->bytes.size();
    const frame_kind kind = frame->kind;
    if (queued_bytes_ >= ctx_.config.send_queue_bytes) {
        // A slow consumer: it is dropped, never allowed to grow the server's memory.
        // The test is on what is already queued, not on queue + this frame: a connection
        // that reads is never dropped because one frame (at most the largest reply, a
        // quarter of the bound) happens to arrive while its queue is nearly full; the
        // memory held stays below the bound plus one frame. Nothing more is accepted
        // from here on, so it is counted and closed once.
        send_closed_ = true;
        lock.unlock();
        ctx_.metrics.slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
        net::dispatch(stream_.get_executor(), [self = self()] {
            self->guarded([&] { self->start_close(ws::close_code::policy_violation, "slow consumer", true); });
        });
        return chat::send_outcome::dropped;
    }
    queued_bytes_ += size;
    queue_.push_back(std::move(frame));
    ctx_.metrics.count_frame(kind);
    if (write_posted_) return chat::send_outcome::queued;
    write_posted_ = true;
    return chat::send_outcome::flush_needed;
}

template <class Stream>
void ws_session<Stream>::flush() {
    net::post(stream_.get_executor(), [self = self()] { self->guarded([&] { self->do_write(); }); });
}

template <class Stream>
void ws_session<Stream>::do_write() {
    if (writing_ || finished_) return;
    {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) {
            write_posted_ = false;
            return;
        }
        if (queue_.size() <= max_frames_per_write) {
            in_flight_.swap(queue_);
        } else {
            auto split = queue_.begin() + max_frames_per_write;
            in_flight_.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(split));
            queue_.erase(queue_.begin(), split);
        }
    }
    buffers_.clear();
    for (const auto& f : in_flight_) buffers_.push_back(net::buffer(f->bytes));
    writing_ = true;
    // For TLS, Beast's ssl_stream copies the gather into few records (not one per frame).
    net::async_write(stream_, buffers_,
                     [self = self()](const error_code& ec, std::size_t n) {
                         self->guarded([&] { self->on_write(ec, n); });
                     });
}

template <class Stream>
void ws_session<Stream>::on_write(const error_code& ec, std::size_t bytes) {
    writing_ = false;
    in_flight_.clear();
    // Give back a burst's worth of capacity so that idle connections stay small.
    if (in_flight_.capacity() > 64) {
        in_flight_.shrink_to_fit();
        buffers_.clear();
        buffers_.shrink_to_fit();
    }
    if (ec) return finish(ec.message());
    bool more = false, close_sent = false;
    {
        std::lock_guard lock(mutex_);
        queued_bytes_ -= bytes;
        more = !queue_.empty();
        if (!more) {
            write_posted_ = false;
            close_sent = send_closed_;
        }
    }
    if (more) return do_write();
    if (close_sent) {
        // Our close frame is out: no more data from us; wait for the peer's EOF.
        if constexpr (is_tls) {
            // TLS cannot half-close TCP (close_notify must still go out after this). With the
            // peer's close frame already in, shut TLS down; else on_tls_read does on seeing it.
            tls_.close_written = true;
            if (tls_.peer_closed) do_tls_shutdown();
        } else {
            error_code ignored;
            stream_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
        }
    }
}

// ------------------------------------------------------------------ heartbeat and closing

template <class Stream>
void ws_session<Stream>::do_heartbeat(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = self()](const error_code& ec) { self->guarded([&] { self->on_heartbeat(ec); }); });
}

template <class Stream>
void ws_session<Stream>::on_heartbeat(const error_code& ec) {
    if (ec || closing_) return;
    if (unanswered_heartbeats_ >= limits::missed_heartbeats_before_close)
        return start_close(ws::close_code::going_away, "heartbeat timeout", false);
    send(heartbeat_frame(is_named()));
    ++unanswered_heartbeats_;
    do_heartbeat(std::chrono::milliseconds(ctx_.config.heartbeat_ms));
}

template <class Stream>
void ws_session<Stream>::close(std::uint16_t code, std::string_view reason) {
    net::dispatch(stream_.get_executor(), [self = self(), code, reason = std::string(reason)]() mutable {
        // Whatever is queued goes out before the close frame: the answers to the twenty
        // malformed frames before the one that closes, the last messages before a ban.
        self->guarded([&] { self->start_close(code, std::move(reason), false); });
    });
}

template <class Stream>
bool ws_session<Stream>::charge_protocol_error() {
    bool within;
    {
        std::lock_guard lock(mutex_);
        within = budget_.record(chat::steady_now_ms());
    }
    if (!within) close(ws::close_code::policy_violation, "too many malformed frames");
    return within;
}

template <class Stream>
void ws_session<Stream>::start_close(std::uint16_t code, std::string reason, bool drop_queue) {
    if (closing_ || finished_) return;
    closing_ = true;
    close_code_ = code;
    if constexpr (!is_tls) parser_.stop();  // TLS must still see the peer's close frame
    ctx_.hub.closed(self());
    log_info("close " + peer_ + " session=" + session_id() + " code=" + std::to_string(code) +
             (reason.empty() ? "" : " reason=" + reason));
    auto frame = chat::make_close_frame(code, reason);
    bool post_write = false;
    {
        std::lock_guard lock(mutex_);
        if (drop_queue) {
            for (const auto& f : queue_) queued_bytes_ -= f->bytes.size();
            queue_.clear();
        }
        queued_bytes_ += frame->bytes.size();
        queue_.push_back(std::move(frame));
        send_closed_ = true;
        post_write = !write_posted_;
        write_posted_ = true;
    }
    if (post_write) net::post(stream_.get_executor(), [self = self()] { self->guarded([&] { self->do_write(); }); });
    timer_.cancel();
    timer_.expires_after(close_deadline);
    timer_.async_wait([self = self()](const error_code& ec) {
        if (!ec) self->finish("close deadline passed");
    });
}

template <class Stream>
void ws_session<Stream>::finish(std::string_view why) {
    if (finished_) return;
    finished_ = true;
    if (!closing_) {
        closing_ = true;
        parser_.stop();
        ctx_.hub.closed(self());
        log_info("close " + peer_ + " session=" + session_id() + " reason=" + std::string(why));
    }
    {
        std::lock_guard lock(mutex_);
        send_closed_ = true;
        queue_.clear();
    }
    error_code ignored;
    socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    timer_.cancel();
}

// The two transports; other files only see the declarations.
template class ws_session<net::ip::tcp::socket>;
template class ws_session<tls_stream>;

}  // namespace parley::server
