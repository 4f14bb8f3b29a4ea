#include "net/ws_session.hpp"

#include <array>
#include <random>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "app/log.hpp"
#include "chat/clock.hpp"
#include "parley/core/codec.hpp"
#include "ws/frame.hpp"

namespace parley::server {

namespace net = boost::asio;
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

/// Posting messages (PROTOCOL.md, Rate limit): the frames the token bucket limits.
bool is_rate_limited(const client_message& m) {
    return std::holds_alternative<post_message>(m) || std::holds_alternative<edit_request>(m) ||
           std::holds_alternative<delete_request>(m) || std::holds_alternative<typing_request>(m);
}

}  // namespace

ws_session::ws_session(net::ip::tcp::socket socket, session_context& ctx, std::string session_id,
                       std::string peer, std::string address)
    : chat::connection(std::move(session_id), std::move(address)),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      ctx_(ctx),
      peer_(std::move(peer)),
      parser_(ctx.config.max_frame),
      bucket_(ctx.config.rate_limit, ctx.config.rate_burst) {
    ctx_.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.connections_total.fetch_add(1, std::memory_order_relaxed);
}

ws_session::~ws_session() { ctx_.metrics.connections_open.fetch_sub(1, std::memory_order_relaxed); }

std::shared_ptr<ws_session> ws_session::self() {
    return std::static_pointer_cast<ws_session>(shared_from_this());
}

void ws_session::start(std::string handshake, std::string channel, std::optional<message_id> since,
                       std::string leftover) {
    net::dispatch(socket_.get_executor(), [self = self(), handshake = std::move(handshake),
                                           channel = std::move(channel), since,
                                           leftover = std::move(leftover)]() mutable {
        error_code ec;
        self->socket_.non_blocking(true, ec);
        // The 101 answer is the first "frame" in the queue: one writer, in order.
        auto answer = std::make_shared<chat::outgoing_frame>();
        answer->bytes = std::move(handshake);
        self->send(std::move(answer));
        log_info("open " + self->peer_ + " session=" + self->session_id() + " channel=" + channel);
        self->ctx_.hub.open(self, std::move(channel), since);
        if (!leftover.empty()) self->feed(leftover.data(), leftover.size());
        // Spread heartbeats over the period so that no tick sends thousands at once.
        thread_local std::minstd_rand jitter{std::random_device{}()};
        const int period = self->ctx_.config.heartbeat_ms;
        self->do_heartbeat(std::chrono::milliseconds(period / 2 + static_cast<int>(jitter() % (period / 2 + 1))));
        if (!self->closing_) self->do_wait_read();
    });
}

// ------------------------------------------------------------------ reading

void ws_session::do_wait_read() {
    socket_.async_wait(net::ip::tcp::socket::wait_read,
                       [self = self()](const error_code& ec) { self->on_readable(ec); });
}

void ws_session::on_readable(const error_code& ec) {
    if (finished_) return;
    if (ec) return finish(ec.message());
    for (int i = 0; i < max_reads_per_turn; ++i) {
        error_code read_ec;
        const std::size_t n = socket_.read_some(net::buffer(read_buffer), read_ec);
        if (read_ec == net::error::would_block || read_ec == net::error::try_again) break;
        if (read_ec) return finish(read_ec == net::error::eof ? "closed by peer" : read_ec.message());
        // While closing, input is read only to see the peer's close or EOF.
        if (!closing_) feed(read_buffer.data(), n);
        if (finished_) return;
        if (n < read_buffer.size()) break;
    }
    do_wait_read();
}

void ws_session::feed(char* data, std::size_t size) { parser_.feed(std::span<char>(data, size), *this); }

void ws_session::on_text(std::string_view payload) {
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
    if (is_rate_limited(frame.message) && !bucket_.try_take(chat::steady_now_ms()))
        return chat::hub::send_error(*this, ctx_.metrics, parley::error_code::rate_limited, "slow down", frame.nonce);
    ctx_.hub.handle(self(), std::move(frame));
}

void ws_session::on_binary(std::string_view) {
    chat::hub::send_error(*this, ctx_.metrics, parley::error_code::invalid_message,
                          "binary frames are not accepted: send JSON in text frames", std::nullopt);
}

void ws_session::on_ping(std::string_view payload) { send(chat::make_pong_frame(payload)); }

void ws_session::on_pong(std::string_view) {}

void ws_session::on_close(std::uint16_t code, std::string_view) {
    // Echo the peer's code (RFC 6455 5.5.1); a close without a code is answered without one.
    start_close(code, "", false);
}

void ws_session::on_failure(std::uint16_t code) {
    const char* why = code == ws::close_code::message_too_big  ? "message too big"
                      : code == ws::close_code::invalid_payload ? "invalid UTF-8"
                                                                : "protocol error";
    start_close(code, why, false);
}

// ------------------------------------------------------------------ writing

bool ws_session::enqueue(chat::shared_frame frame) {
    std::unique_lock lock(mutex_);
    if (send_closed_) return false;
    const std::size_t size = frame->bytes.size();
    if (queued_bytes_ + size > ctx_.config.send_queue_bytes) {
        // A slow consumer: it is dropped, never allowed to grow the server's memory.
        // Nothing more is accepted from here on, so it is counted and closed once.
        send_closed_ = true;
        lock.unlock();
        ctx_.metrics.slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
        close(ws::close_code::policy_violation, "slow consumer");
        return false;
    }
    queued_bytes_ += size;
    queue_.push_back(std::move(frame));
    ctx_.metrics.deliveries.fetch_add(1, std::memory_order_relaxed);
    if (write_posted_) return false;
    write_posted_ = true;
    return true;
}

void ws_session::flush() {
    net::post(socket_.get_executor(), [self = self()] { self->do_write(); });
}

void ws_session::do_write() {
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
    net::async_write(socket_, buffers_,
                     [self = self()](const error_code& ec, std::size_t n) { self->on_write(ec, n); });
}

void ws_session::on_write(const error_code& ec, std::size_t bytes) {
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
        error_code ignored;
        socket_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    }
}

// ------------------------------------------------------------------ heartbeat and closing

void ws_session::do_heartbeat(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = self()](const error_code& ec) { self->on_heartbeat(ec); });
}

void ws_session::on_heartbeat(const error_code& ec) {
    if (ec || closing_) return;
    if (unanswered_heartbeats_ >= limits::missed_heartbeats_before_close)
        return start_close(ws::close_code::going_away, "heartbeat timeout", false);
    send(heartbeat_frame(is_named()));
    ++unanswered_heartbeats_;
    do_heartbeat(std::chrono::milliseconds(ctx_.config.heartbeat_ms));
}

void ws_session::close(std::uint16_t code, std::string_view reason) {
    net::dispatch(socket_.get_executor(), [self = self(), code, reason = std::string(reason)]() mutable {
        self->start_close(code, std::move(reason), code == ws::close_code::policy_violation);
    });
}

bool ws_session::charge_protocol_error() {
    bool within;
    {
        std::lock_guard lock(mutex_);
        within = budget_.record(chat::steady_now_ms());
    }
    if (!within) close(ws::close_code::policy_violation, "too many malformed frames");
    return within;
}

void ws_session::start_close(std::uint16_t code, std::string reason, bool drop_queue) {
    if (closing_ || finished_) return;
    closing_ = true;
    close_code_ = code;
    parser_.stop();
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
    if (post_write) net::post(socket_.get_executor(), [self = self()] { self->do_write(); });
    timer_.cancel();
    timer_.expires_after(close_deadline);
    timer_.async_wait([self = self()](const error_code& ec) {
        if (!ec) self->finish("close deadline passed");
    });
}

void ws_session::finish(std::string_view why) {
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
    socket_.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
}

}  // namespace parley::server
