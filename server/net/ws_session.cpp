#include "net/ws_session.hpp"

#include <array>
#include <random>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "log/log.hpp"
#include "chat/clock.hpp"
#include "log/guarded.hpp"
#include "net/tls_stream.hpp"
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

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace

template <class Stream>
ws_session<Stream>::ws_session(Stream stream, session_context& ctx, std::string session_id, std::string address,
                               std::uint16_t port, address_slot slot)
    : chat::connection(std::move(session_id), std::move(address)),
      stream_(std::move(stream)),
      timer_(stream_.get_executor()),
      ctx_(ctx),
      port_(port),
      parser_(ctx.limits.max_frame),
      policy_(ctx.limits),
      close_(is_tls),
      queue_(ctx.limits.send_queue_bytes),
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
        log_info("open " + self->peer() + " session=" + self->session_id() + " channel=" + channel);
        self->ctx_.hub.open(self, std::move(account), std::move(channel), since);
        // The heartbeat before the leftover: a close the leftover starts sets the timer to
        // its deadline, which a later heartbeat must not replace.
        thread_local std::minstd_rand jitter{std::random_device{}()};
        self->do_heartbeat(self->policy_.first_heartbeat_delay(static_cast<std::uint32_t>(jitter())));
        if (!leftover.empty() && !self->on_bytes(leftover.data(), leftover.size())) return;
        if (self->close_.reads()) self->do_read();
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

template <class Stream>
void ws_session<Stream>::act(policy::action action) {
    std::visit(overloaded{
                   [](policy::ignore&) {},
                   [this](policy::to_hub& a) { ctx_.hub.handle(self(), std::move(a.frame)); },
                   [this](policy::answer_error& a) {
                       // Already charged to the budget by the policy: not through hub::send_error.
                       ctx_.metrics.count_error(a.code);
                       send(chat::make_frame(error_notice{a.code, std::move(a.message), std::move(a.ref)}));
                   },
                   [this](policy::answer_pong& a) { send(chat::make_pong_frame(a.payload)); },
                   [this](policy::send_heartbeat&) { send(heartbeat_frame(is_named())); },
                   [this](policy::close_with& a) { start_close(a.code, std::move(a.reason), false); },
               },
               action);
}

// ------------------------------------------------------------------ reading

template <class Stream>
void ws_session<Stream>::do_read() {
    if constexpr (is_tls) {
        stream_.async_read_some(net::buffer(tls_buffer_), [self = self()](const error_code& ec, std::size_t n) {
            self->guarded([&] { self->on_tls_read(ec, n); });
        });
    } else {
        stream_.async_wait(net::ip::tcp::socket::wait_read,
                           [self = self()](const error_code& ec) { self->guarded([&] { self->on_readable(ec); }); });
    }
}

template <class Stream>
void ws_session<Stream>::on_readable(const error_code& ec) requires(!is_tls) {
    if (close_.finished()) return;
    if (ec) return on_read_error(ec);
    for (int i = 0; i < max_reads_per_turn; ++i) {
        error_code read_ec;
        const std::size_t n = stream_.read_some(net::buffer(read_buffer), read_ec);
        if (read_ec == net::error::would_block || read_ec == net::error::try_again) break;
        if (read_ec) return on_read_error(read_ec);
        if (!on_bytes(read_buffer.data(), n)) return;
        if (n < read_buffer.size()) break;
    }
    do_read();
}

template <class Stream>
void ws_session<Stream>::on_tls_read(const error_code& ec, std::size_t bytes) requires(is_tls) {
    if (close_.finished()) return;
    if (ec) return on_read_error(ec);
    if (on_bytes(tls_buffer_.data(), bytes)) do_read();
}

template <class Stream>
bool ws_session<Stream>::on_bytes(char* data, std::size_t size) {
    // The parser runs while closing too, for both transports: the peer's close frame must be
    // seen (TLS may shut down only after it). Data frames are ignored once closing.
    parser_.feed(std::span<char>(data, size), *this);
    return close_.reads();
}

template <class Stream>
void ws_session<Stream>::on_read_error(const error_code& ec) {
    // close_notify reads as eof; a TLS peer that just drops TCP reads as stream_truncated.
    const bool peer_left = ec == net::error::eof || ec == net::ssl::error::stream_truncated;
    finish(peer_left ? "closed by peer" : ec.message());
}

template <class Stream>
void ws_session<Stream>::on_text(std::string_view payload) {
    if (close_.open()) act(policy_.on_text(payload, chat::steady_now_ms()));
}

template <class Stream>
void ws_session<Stream>::on_binary(std::string_view) {
    if (close_.open()) act(policy_.on_binary(chat::steady_now_ms()));
}

template <class Stream>
void ws_session<Stream>::on_ping(std::string_view payload) { act(policy_.on_ping(payload)); }

template <class Stream>
void ws_session<Stream>::on_pong(std::string_view) {}

template <class Stream>
void ws_session<Stream>::on_close(std::uint16_t code, std::string_view) {
    if (close_.peer_closed() == close_handshake::step::end_send) end_send();
    act(policy_.on_close(code));
}

template <class Stream>
void ws_session<Stream>::on_failure(std::uint16_t code) { act(policy_.on_failure(code)); }

// ------------------------------------------------------------------ writing

template <class Stream>
chat::send_outcome ws_session<Stream>::enqueue(chat::shared_frame frame) {
    const frame_kind kind = frame->kind;
    const auto pushed = queue_.push(std::move(frame));
    if (pushed.over_bound) {
        ctx_.metrics.slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
        net::dispatch(stream_.get_executor(), [self = self()] {
            self->guarded([&] { self->start_close(ws::close_code::policy_violation, "slow consumer", true); });
        });
    }
    if (pushed.outcome != chat::send_outcome::dropped) ctx_.metrics.count_frame(kind);
    return pushed.outcome;
}

template <class Stream>
void ws_session<Stream>::flush() {
    net::post(stream_.get_executor(), [self = self()] { self->guarded([&] { self->do_write(); }); });
}

template <class Stream>
void ws_session<Stream>::do_write() {
    if (writing_ || close_.finished()) return;
    if (!queue_.take(in_flight_, max_frames_per_write)) return;
    buffers_.clear();
    for (const auto& f : in_flight_) buffers_.push_back(net::buffer(f->bytes));
    writing_ = true;
    // For TLS, Beast's ssl_stream copies the gather into few records (not one per frame).
    net::async_write(stream_, buffers_, [self = self()](const error_code& ec, std::size_t n) {
        self->guarded([&] { self->on_write(ec, n); });
    });
}

template <class Stream>
void ws_session<Stream>::on_write(const error_code& ec, std::size_t bytes) {
    writing_ = false;
    in_flight_.clear();
    // Give back a burst's worth of capacity so that busy connections stay small.
    if (in_flight_.capacity() > 64) {
        in_flight_.shrink_to_fit();
        buffers_.clear();
        buffers_.shrink_to_fit();
    }
    if (ec) return finish(ec.message());
    switch (queue_.written(bytes)) {
        case send_queue::after_write::more: return do_write();
        case send_queue::after_write::idle:
            // Most connections are idle most of the time: they hold no write vectors at all
            // (a few hundred bytes each at the size a join's answers leave them). Growing
            // them again at the next write costs two small allocations, not a system call.
            in_flight_ = {};
            buffers_ = {};
            return;
        case send_queue::after_write::close_sent:
            if (close_.close_written() == close_handshake::step::end_send) end_send();
            return;
    }
}

// ------------------------------------------------------------------ heartbeat and closing

template <class Stream>
void ws_session<Stream>::do_heartbeat(std::chrono::milliseconds delay) {
    // Once closing, the timer is the close deadline: no heartbeat may replace it.
    if (!close_.open()) return;
    timer_.expires_after(delay);
    timer_.async_wait([self = self()](const error_code& ec) { self->guarded([&] { self->on_heartbeat(ec); }); });
}

template <class Stream>
void ws_session<Stream>::on_heartbeat(const error_code& ec) {
    if (ec || !close_.open()) return;
    act(policy_.on_heartbeat_due());
    do_heartbeat(policy_.heartbeat_period());
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
    const bool within = policy_.charge_error(chat::steady_now_ms());
    if (!within) {
        const auto over = connection_policy::over_error_budget();
        close(over.code, over.reason);
    }
    return within;
}

template <class Stream>
void ws_session<Stream>::start_close(std::uint16_t code, std::string reason, bool drop_queue) {
    if (!close_.begin()) return;
    ctx_.hub.closed(self());
    log_info("close " + peer() + " session=" + session_id() + " code=" + std::to_string(code) +
             (reason.empty() ? "" : " reason=" + reason));
    ctx_.metrics.count_frame(frame_kind::control);
    if (queue_.push_close(chat::make_close_frame(code, reason), drop_queue))
        net::post(stream_.get_executor(), [self = self()] { self->guarded([&] { self->do_write(); }); });
    timer_.cancel();
    timer_.expires_after(close_deadline);
    timer_.async_wait([self = self()](const error_code& ec) {
        if (!ec) self->guarded([&] { self->finish("close deadline passed"); });
    });
}

template <class Stream>
void ws_session<Stream>::end_send() {
    if constexpr (is_tls) {
        // Both close frames are through and no read is pending (reads stopped at the peer's
        // close frame). close_notify is TLS's end of stream: the peer sees it and closes. The
        // close deadline set in start_close bounds the wait for its answer.
        stream_.async_shutdown([self = self()](const error_code&) {
            self->guarded([&] { self->finish("tls shutdown"); });
        });
    } else {
        // No more data from us; the reads go on until the peer's EOF.
        error_code ignored;
        stream_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    }
}

template <class Stream>
void ws_session<Stream>::finish(std::string_view why) {
    if (!close_.finish()) return;
    parser_.stop();
    if (!close_.began()) {
        // Ended without a closing handshake (EOF, an error): the hub still has to know.
        ctx_.hub.closed(self());
        log_info("close " + peer() + " session=" + session_id() + " reason=" + std::string(why));
    }
    queue_.shut();
    error_code ignored;
    socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    timer_.cancel();
}

// The two transports; other files only see the declarations.
template class ws_session<net::ip::tcp::socket>;
template class ws_session<tls_stream>;

}  // namespace parley::server
