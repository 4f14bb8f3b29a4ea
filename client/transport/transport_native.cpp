// The native transport: a Boost.Beast WebSocket client (ws:// and wss://) on its own thread
// with its own io_context. The UI thread calls connect/send/close/poll; each connection is a
// session living on the transport thread; events cross to the UI through a mutex-protected
// queue, and a wake hook lets an idle main loop notice them.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "model/transport.hpp"
#include "ws_url.hpp"

namespace parley::client {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

/// TCP connect (resolve included) gives up after 15 s: the model's own 10 s connect timeout
/// normally acts first; this only bounds a socket nobody waits for any more.
constexpr auto tcp_connect_timeout = std::chrono::seconds(15);

/// Where sessions put events and the UI takes them. Shared by the transport (UI thread) and
/// its sessions (transport thread); every member is guarded by mutex_.
class event_queue {
public:
    explicit event_queue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    /// Queues an event of connection `generation` (transport thread). False when the session
    /// should stop: it is no longer the current connection, or the UI fell too far behind.
    bool push(std::uint64_t generation, transport_event event) {
        std::function<void()> wake;
        bool keep_going = false;
        {
            std::lock_guard lock(mutex_);
            if (generation != current_ || overrun_) return false;
            if (bytes_ + event.text.size() > max_bytes_) {
                // The UI is not draining (it may be stalled): end the connection rather than
                // grow without bound. The model reconnects and resumes; nothing is lost.
                overrun_ = true;
                events_.push_back(transport_event{transport_event::kind::error, "events not read in time", 0});
                events_.push_back(transport_event{transport_event::kind::closed, "client overrun", 1006});
            } else {
                bytes_ += event.text.size();
                events_.push_back(std::move(event));
            }
            wake = wake_;
            keep_going = !overrun_;
        }
        if (wake) wake();
        return keep_going;
    }

    /// Everything queued, oldest first (UI thread).
    std::vector<transport_event> take() {
        std::lock_guard lock(mutex_);
        std::vector<transport_event> out;
        out.swap(events_);
        bytes_ = 0;
        return out;
    }

    /// Makes `generation` current; queued events of the previous connection are forgotten,
    /// so none is seen after close() or connect() (UI thread).
    void switch_to(std::uint64_t generation) {
        std::lock_guard lock(mutex_);
        current_ = generation;
        overrun_ = false;
        events_.clear();
        bytes_ = 0;
    }

    void set_wake(std::function<void()> wake) {
        std::lock_guard lock(mutex_);
        wake_ = std::move(wake);
    }

private:
    std::mutex mutex_;
    std::vector<transport_event> events_;
    std::size_t bytes_ = 0;
    const std::size_t max_bytes_;
    std::uint64_t current_ = 0;
    bool overrun_ = false;
    std::function<void()> wake_;
};

/// One connection's I/O, on the transport thread. Members other than queued_bytes are
/// touched only there; every pending operation holds shared_from_this().
class session_base : public std::enable_shared_from_this<session_base> {
public:
    virtual ~session_base() = default;
    /// Resolves, connects, handshakes, then reads until the end.
    virtual void start() = 0;
    /// Queues a frame; a single writer sends them in order.
    virtual void write(std::shared_ptr<const std::string> frame) = 0;
    /// Ends the connection: a close handshake when open, else cancels what is pending.
    virtual void shutdown() = 0;

    /// Bytes accepted by send() and not yet written; the UI thread adds, this thread subtracts.
    std::atomic<std::size_t> queued_bytes{0};
};

template <bool tls>
class session final : public session_base {
    using next_layer = std::conditional_t<tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

public:
    session(net::io_context& ioc, ssl::context& tls_context, std::shared_ptr<event_queue> events,
            std::uint64_t generation, ws_url url, const transport_options& options)
        : resolver_(ioc), ws_(make_stream(ioc, tls_context)), events_(std::move(events)),
          generation_(generation), url_(std::move(url)), verify_peer_(options.verify_peer),
          max_frame_(options.max_incoming_frame_bytes) {}

    void start() override {
        resolver_.async_resolve(url_.host, url_.port,
                                [self = shared()](beast::error_code ec, tcp::resolver::results_type results) {
                                    self->on_resolve(ec, std::move(results));
                                });
    }

    void write(std::shared_ptr<const std::string> frame) override {
        if (finished_ || closing_) {
            queued_bytes -= frame->size();
            return;
        }
        outbox_.push_back(std::move(frame));
        if (open_ && !writing_) do_write();
    }

    void shutdown() override {
        if (closing_ || finished_) return;
        closing_ = true;
        if (open_) {
            ws_.async_close(websocket::close_code::normal, [self = shared()](beast::error_code) {});
            return;
        }
        beast::error_code ignored;
        resolver_.cancel();
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

private:
    static websocket::stream<next_layer> make_stream(net::io_context& ioc, ssl::context& tls_context) {
        if constexpr (tls) {
            return websocket::stream<next_layer>(ioc, tls_context);
        } else {
            (void)tls_context;
            return websocket::stream<next_layer>(ioc);
        }
    }

    std::shared_ptr<session> shared() { return std::static_pointer_cast<session>(shared_from_this()); }

    void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return finish(ec, "resolve");
        if (closing_) return;
        beast::get_lowest_layer(ws_).expires_after(tcp_connect_timeout);
        beast::get_lowest_layer(ws_).async_connect(
            results, [self = shared()](beast::error_code e, const tcp::endpoint&) { self->on_connect(e); });
    }

    void on_connect(beast::error_code ec) {
        if (ec) return finish(ec, "connect");
        if (closing_) return;
        if constexpr (tls) {
            auto& stream = ws_.next_layer();
            // SNI: a server hosting several names picks the certificate by it. Not for an
            // address literal, which RFC 6066 leaves out of SNI.
            beast::error_code not_address;
            net::ip::make_address(url_.host, not_address);
            if (not_address && !SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str())) {
                return finish(beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()),
                              "TLS server name");
            }
            if (verify_peer_) stream.set_verify_callback(ssl::host_name_verification(url_.host));
            stream.async_handshake(ssl::stream_base::client,
                                   [self = shared()](beast::error_code e) { self->on_tls_handshake(e); });
        } else {
            do_ws_handshake();
        }
    }

    void on_tls_handshake(beast::error_code ec) {
        if (ec) return finish(ec, "TLS handshake");
        if (closing_) return;
        do_ws_handshake();
    }

    void do_ws_handshake() {
        // From here the WebSocket's own timeouts apply (30 s handshake and close); liveness
        // is the model's job (three silent heartbeat periods).
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
            request.set(beast::http::field::user_agent, "parley-client/1.0");
        }));
        ws_.read_message_max(max_frame_);
        ws_.async_handshake(url_.host_header(), url_.target,
                            [self = shared()](beast::error_code e) { self->on_handshake(e); });
    }

    void on_handshake(beast::error_code ec) {
        if (ec) return finish(ec, "WebSocket handshake");
        if (closing_) return;
        open_ = true;
        if (!events_->push(generation_, transport_event{transport_event::kind::opened, {}, 0})) return shutdown();
        if (!outbox_.empty()) do_write();
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, [self = shared()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec) return finish(ec, "read");
        if (ws_.got_text()) {
            transport_event event{transport_event::kind::text, beast::buffers_to_string(buffer_.data()), 0};
            buffer_.consume(buffer_.size());
            if (!events_->push(generation_, std::move(event))) return shutdown();
        } else {
            buffer_.consume(buffer_.size());  // Parley servers send text only
        }
        do_read();
    }

    void do_write() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(net::buffer(*outbox_.front()),
                        [self = shared()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        writing_ = false;
        queued_bytes -= outbox_.front()->size();
        outbox_.pop_front();
        if (ec) return finish(ec, "write");
        if (!outbox_.empty() && !closing_) do_write();
    }

    /// Reports the end once: a close frame's code and reason, or the failure and 1006.
    void finish(beast::error_code ec, const char* what) {
        if (finished_) return;
        finished_ = true;
        open_ = false;
        if (ec == websocket::error::closed) {
            const auto& reason = ws_.reason();
            events_->push(generation_, transport_event{transport_event::kind::closed, std::string(reason.reason.c_str()),
                                                       static_cast<std::uint16_t>(reason.code)});
            return;
        }
        // operation_aborted is our own cancellation: nobody listens for that connection.
        if (ec == net::error::operation_aborted) return;
        const std::string text = std::string(what) + ": " + ec.message();
        events_->push(generation_, transport_event{transport_event::kind::error, text, 0});
        events_->push(generation_, transport_event{transport_event::kind::closed, text, 1006});
    }

    tcp::resolver resolver_;
    websocket::stream<next_layer> ws_;
    std::shared_ptr<event_queue> events_;
    const std::uint64_t generation_;
    const ws_url url_;
    const bool verify_peer_;
    const std::size_t max_frame_;
    beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> outbox_;
    bool open_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool finished_ = false;
};

class native_transport final : public transport {
public:
    explicit native_transport(transport_options options)
        : options_(std::move(options)), events_(std::make_shared<event_queue>(options_.max_pending_event_bytes)),
          tls_(ssl::context::tls_client), work_(net::make_work_guard(ioc_)) {
        tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        if (options_.verify_peer) {
            tls_.set_verify_mode(ssl::verify_peer);
            beast::error_code ec;
            if (options_.ca_file.empty()) tls_.set_default_verify_paths(ec);
            else tls_.load_verify_file(options_.ca_file, ec);
            // Reported on each wss:// connect, where the user sees it; ws:// still works.
            if (ec) tls_problem_ = "CA certificates (" + (options_.ca_file.empty() ? std::string("system store") : options_.ca_file) + "): " + ec.message();
        } else {
            tls_.set_verify_mode(ssl::verify_none);
        }
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~native_transport() override {
        close();
        work_.reset();
        // Abrupt but bounded: a server that ignores the close frame cannot hold the exit.
        ioc_.stop();
        thread_.join();
    }

    native_transport(const native_transport&) = delete;
    native_transport& operator=(const native_transport&) = delete;

    void connect(const std::string& url) override {
        close();
        ++generation_;
        events_->switch_to(generation_);
        auto parsed = parse_ws_url(url);
        if (!parsed || (parsed->tls && !tls_problem_.empty())) {
            const std::string why = !parsed ? "not a ws:// or wss:// URL: " + url : tls_problem_;
            events_->push(generation_, transport_event{transport_event::kind::error, why, 0});
            events_->push(generation_, transport_event{transport_event::kind::closed, why, 1006});
            return;
        }
        if (parsed->tls)
            current_ = std::make_shared<session<true>>(ioc_, tls_, events_, generation_, std::move(*parsed), options_);
        else
            current_ = std::make_shared<session<false>>(ioc_, tls_, events_, generation_, std::move(*parsed), options_);
        net::post(ioc_, [s = current_] { s->start(); });
    }

    send_status send(std::string text) override {
        if (!current_ || !open_) return send_status::not_open;
        const std::size_t size = text.size();
        if (current_->queued_bytes.load() + size > options_.max_outgoing_bytes) return send_status::queue_full;
        current_->queued_bytes += size;
        auto frame = std::make_shared<const std::string>(std::move(text));
        net::post(ioc_, [s = current_, frame = std::move(frame)]() mutable { s->write(std::move(frame)); });
        return send_status::queued;
    }

    void close() override {
        open_ = false;
        if (!current_) return;
        ++generation_;
        events_->switch_to(generation_);
        net::post(ioc_, [s = std::move(current_)] { s->shutdown(); });
        current_.reset();
    }

    std::vector<transport_event> poll() override {
        std::vector<transport_event> events = events_->take();
        for (const transport_event& event : events) {
            if (event.type == transport_event::kind::opened) open_ = true;
            if (event.type == transport_event::kind::closed) open_ = false;
        }
        return events;
    }

    void set_wake_callback(std::function<void()> wake) override { events_->set_wake(std::move(wake)); }

private:
    const transport_options options_;
    std::shared_ptr<event_queue> events_;
    ssl::context tls_;  ///< before ioc_: sessions still queued in ioc_ at exit use it
    std::string tls_problem_;
    net::io_context ioc_{1};
    net::executor_work_guard<net::io_context::executor_type> work_;
    std::shared_ptr<session_base> current_;  ///< UI thread only
    std::uint64_t generation_ = 0;           ///< UI thread only
    bool open_ = false;                      ///< UI thread: poll() delivered `opened` of current_
    std::thread thread_;                     ///< last: runs ioc_ once everything else exists
};

}  // namespace

std::unique_ptr<transport> make_transport(transport_options options) {
    return std::make_unique<native_transport>(std::move(options));
}

}  // namespace parley::client
