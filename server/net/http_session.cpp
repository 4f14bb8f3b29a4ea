#include "net/http_session.hpp"

#include <openssl/rand.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "log/log.hpp"
#include "http/api.hpp"
#include "http/limits.hpp"
#include "http/request_framing.hpp"
#include "http/route.hpp"
#include "http/router.hpp"
#include "net/address_limiter.hpp"
#include "net/io_loops.hpp"
#include "log/guarded.hpp"
#include "net/tls_stream.hpp"
#include "net/upgrade.hpp"
#include "net/ws_session.hpp"
#include "parley/core/text.hpp"

namespace parley::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

/// A session id: 128 random bits, hex. Guest authorship hangs on it, so it must not be guessable.
std::string random_session_id() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        // OpenSSL's generator failing means the process cannot make secrets at all.
        log_error("RAND_bytes failed");
        std::abort();
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string id;
    id.reserve(2 * sizeof bytes);  // one allocation of its size, not three as it grows
    for (unsigned char b : bytes) {
        id += hex[b >> 4];
        id += hex[b & 15];
    }
    return id;
}

/// How long a TLS client has to answer our close_notify before the socket is closed anyway:
/// a well-behaved client answers at once, and waiting longer only holds a descriptor.
constexpr std::chrono::seconds tls_shutdown_timeout{2};

}  // namespace

template <class Stream>
http_session<Stream>::http_session(net::ip::tcp::socket socket, session_context& ctx)
    : stream_(open(std::move(socket), ctx)), ctx_(ctx), header_timeout_(ctx.limits.header_timeout) {
    error_code ec;
    const auto endpoint = tcp().socket().remote_endpoint(ec);
    address_ = ec ? std::string() : endpoint.address().to_string();
    port_ = ec ? 0 : endpoint.port();
    peer_ = ec ? "?" : address_ + ":" + std::to_string(port_);
}

template <class Stream>
Stream http_session<Stream>::open(net::ip::tcp::socket&& socket, session_context& ctx) {
    if constexpr (is_tls)
        return Stream(std::move(socket), *ctx.tls);
    else
        return Stream(std::move(socket));
}

template <class Stream>
beast::tcp_stream& http_session<Stream>::tcp() {
    return beast::get_lowest_layer(stream_);
}

template <class Stream>
template <class Body>
void http_session<Stream>::guard(std::string_view where, Body&& body) {
    guarded(where, std::forward<Body>(body), [this] { abort(); });
}

template <class Stream>
void http_session<Stream>::abort() {
    if (moved_) return;
    error_code ignored;
    tcp().socket().close(ignored);
}

template <class Stream>
void http_session<Stream>::run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
        self->guard("http start", [&] {
            if constexpr (is_tls) {
                // Every connection to a TLS port is TLS: one that sends nothing, or plain HTTP,
                // fails the handshake or runs into its deadline and is closed.
                self->tcp().expires_after(self->header_timeout_);
                self->stream_.async_handshake(net::ssl::stream_base::server, [self](const error_code& ec) {
                    self->guard("tls handshake", [&] { self->on_handshake(ec); });
                });
            } else {
                self->do_read();
            }
        });
    });
}

template <class Stream>
void http_session<Stream>::on_handshake(const error_code& ec) requires(is_tls) {
    if (ec) {
        if (log_enabled(log_level::debug))
            log(log_level::debug, "tls handshake failed " + peer_ + ": " + ec.message());
        // After a failed handshake there is no TLS to shut down.
        return tcp().close();
    }
    do_read();
}

template <class Stream>
void http_session<Stream>::do_read() {
    if (requests_served_ == 0 || buffer_.size() != 0) return read_request();
    // A kept-alive connection may sit idle a while before its next request; once that
    // request's first byte is in, it has the same header deadline as a new connection's, so
    // a slow-loris gains nothing by sending one quick request first.
    tcp().expires_after(http_limits::keep_alive_idle_timeout);
    stream_.async_read_some(buffer_.prepare(http_limits::first_read_bytes),
                            [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                                self->guard("http idle read", [&] { self->on_first_bytes(ec, n); });
                            });
}

template <class Stream>
void http_session<Stream>::on_first_bytes(const error_code& ec, std::size_t bytes) {
    buffer_.commit(bytes);
    if (ec) {
        if constexpr (is_tls) {
            // A peer's close_notify is a clean end and gets ours; a broken TLS stream does not.
            if (ec != net::error::eof && ec != beast::error::timeout) return tcp().close();
        }
        return do_close();
    }
    read_request();
}

template <class Stream>
void http_session<Stream>::read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(http_limits::max_request_header_bytes));
    parser_->body_limit(http_limits::max_request_body_bytes);
    // The deadline covers the whole request: a slow-loris trickling bytes is cut off.
    tcp().expires_after(header_timeout_);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                         self->guard("http read", [&] { self->on_read(ec, n); });
                     });
}

template <class Stream>
void http_session<Stream>::on_read(const error_code& ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return do_close();
    if constexpr (is_tls) {
        // A TLS failure (a bad record, a peer that dropped TCP) leaves nothing to answer on.
        if (ec == net::ssl::error::stream_truncated || ec.category() == net::error::get_ssl_category())
            return tcp().close();
    }
    if (ec) {
        if (ec == http::error::header_limit || ec == http::error::body_limit) {
            return refuse(ec == http::error::header_limit ? 431 : 413, "request too large", false);
        }
        if (ec != net::error::operation_aborted && ec != net::error::connection_reset)
            return refuse(400, "bad request", false);
        return do_close();
    }
    // What Beast's parser lets through but RFC 9112 refuses (request smuggling, no Host):
    // answered and closed, since where this request ends is in doubt.
    if (auto problem = check_request_framing(parser_->get(), parser_->get().version())) {
        log_info("request refused " + peer_ + " status=" + std::to_string(problem->status) + " " +
                 problem->reason);
        return refuse(problem->status, problem->reason, false);
    }
    auto req = parser_->release();
    // The one routing decision for this request (http/route.hpp).
    const route where = route_of(req);
    if (where == route::websocket) return upgrade(std::move(req));
    if (ctx_.stopping.load()) return refuse(503, "server shutting down", false);
    if (where == route::api) return call_api(std::move(req));
    serve_page(std::move(req));
}

template <class Stream>
void http_session<Stream>::serve_page(http::request<http::string_body>&& req) {
    auto answer = handle_http(std::move(req), ctx_.http);
    const bool keep_alive = answer.keep_alive();
    tcp().expires_after(http_limits::keep_alive_idle_timeout);
    beast::async_write(stream_, std::move(answer),
                       [self = this->shared_from_this(), keep_alive](const error_code& e, std::size_t n) {
                           self->guard("http write", [&] { self->on_write(keep_alive, e, n); });
                       });
}

template <class Stream>
void http_session<Stream>::call_api(http::request<http::string_body>&& req) {
    // The answer comes from the account worker; the write goes back on this strand.
    tcp().expires_after(http_limits::keep_alive_idle_timeout);
    handle_api(std::move(req), ctx_.api, address_, [self = this->shared_from_this()](api_response res) {
        // The account worker's thread: only the post happens here (a throw from it stays the
        // worker's to handle); everything else runs guarded on the strand.
        net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
            self->guard("api answer", [&] {
                auto owned = std::make_shared<api_response>(std::move(res));
                if constexpr (is_tls) owned->set(http::field::strict_transport_security, hsts_value);
                const bool keep_alive = owned->keep_alive();
                http::async_write(self->stream_, *owned,
                                  [self, owned, keep_alive](const error_code& e, std::size_t n) {
                                      self->guard("api write", [&] { self->on_write(keep_alive, e, n); });
                                  });
            });
        });
    });
}

template <class Stream>
void http_session<Stream>::on_write(bool keep_alive, const error_code& ec, std::size_t) {
    ++requests_served_;
    if (ec || !keep_alive) return do_close();
    do_read();
}

template <class Stream>
void http_session<Stream>::refuse(unsigned status, const std::string& reason, bool keep_alive,
                                  std::chrono::seconds retry_after) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    res->set(http::field::server, ctx_.http.server_name);
    res->set(http::field::content_type, "text/plain; charset=utf-8");
    res->set("X-Content-Type-Options", "nosniff");
    if constexpr (is_tls) res->set(http::field::strict_transport_security, hsts_value);
    if (status == 426) res->set(http::field::sec_websocket_version, "13");
    if (retry_after.count() > 0) res->set(http::field::retry_after, std::to_string(retry_after.count()));
    res->keep_alive(keep_alive);
    res->body() = reason + "\n";
    res->prepare_payload();
    tcp().expires_after(http_limits::keep_alive_idle_timeout);
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res, keep_alive](const error_code& e, std::size_t n) {
                          self->guard("http refusal write", [&] { self->on_write(keep_alive, e, n); });
                      });
}

template <class Stream>
void http_session<Stream>::upgrade(http::request<http::string_body>&& req) {
    if (ctx_.stopping.load()) return refuse(503, "server shutting down", false);
    const upgrade_request view = upgrade_view_of(req, req.target(), req.version(), is_tls);
    auto checked = check_upgrade(view, ctx_.limits.allowed_origins, ctx_.http.server_name);
    if (auto* refused = std::get_if<upgrade_refused>(&checked)) {
        log_info("upgrade refused " + peer_ + " status=" + std::to_string(refused->status) + " " + refused->reason);
        return refuse(refused->status, refused->reason, false);
    }
    auto& accepted = std::get<upgrade_accepted>(checked);

    // The address's count is taken before the upgrade and travels with the WebSocket session;
    // on any refusal below it is given back as `slot` goes out of scope.
    address_slot slot;
    if (ctx_.connections_per_address) {
        auto acquired = ctx_.connections_per_address->try_acquire(address_);
        if (!acquired) {
            log_info("upgrade refused " + peer_ + " status=429 over " +
                     std::to_string(ctx_.connections_per_address->limit()) + " connections from its address");
            return refuse(429, "too many connections from your address", false,
                          http_limits::connection_limit_retry_after);
        }
        slot = std::move(*acquired);
    }

    // A token (query or Authorization) makes the connection its account from the start;
    // a bad one is refused before any WebSocket frame (PROTOCOL.md, Accounts).
    std::string token = accepted.token.value_or(bearer_token(req[http::field::authorization]));
    std::optional<accounts::signed_in> account;
    if (!token.empty() || accepted.token) {
        account = ctx_.accounts.verify_token(token);
        if (!account) return refuse(401, "invalid or revoked token", false);
    }
    if (ctx_.accounts.is_banned(account ? fold_name(account->name) : std::string(), address_))
        return refuse(403, "banned", false);

    tcp().expires_never();
    std::string leftover = beast::buffers_to_string(buffer_.data());
    error_code ec;
    tcp().socket().set_option(net::ip::tcp::no_delay(true), ec);
    std::optional<chat::verified_account> verified;
    if (account) verified = chat::verified_account{account->name, account->account_id, account->level == accounts::role::admin};
    auto begin = [&](auto session) {
        session->start(std::move(accepted.response), std::move(verified), std::move(accepted.channel),
                       accepted.since, std::move(leftover));
    };
    // A TLS connection moves whole (its TLS state lives in the stream); a plain one leaves
    // Beast's tcp_stream behind for the bare socket the WebSocket session reads. From here on
    // this object holds no stream, so a later throw must not touch it (abort()).
    moved_ = true;
    if constexpr (is_tls) {
        begin(std::make_shared<ws_session<tls_stream>>(std::move(stream_), ctx_, random_session_id(), address_,
                                                       port_, std::move(slot)));
    } else {
        // To the loop of the channel's shard (net/io_loops.hpp): its posts, the store's
        // answers and the deliveries to the channel's other members who came the same way
        // then stay on one thread. A TLS stream keeps its loop: its state cannot move.
        auto socket = move_to_loop(stream_.release_socket(), ctx_.hub.loop_of(accepted.channel), ec);
        if (ec) {
            log_warn("moving a connection to its channel's loop: " + ec.message());
            return;
        }
        begin(std::make_shared<ws_session<net::ip::tcp::socket>>(std::move(socket), ctx_, random_session_id(),
                                                                 address_, port_, std::move(slot)));
    }
}

template <class Stream>
void http_session<Stream>::do_close() {
    if constexpr (is_tls) {
        // close_notify first; a peer that never answers it is cut off by the deadline. A
        // stream its deadline already closed has nothing left to say.
        if (!tcp().socket().is_open()) return;
        tcp().expires_after(tls_shutdown_timeout);
        stream_.async_shutdown([self = this->shared_from_this()](const error_code&) {
            self->guard("tls shutdown", [&] { self->tcp().close(); });
        });
    } else {
        error_code ec;
        stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
        stream_.close();
    }
}

// The two transports; other files see only start_http_session.
template class http_session<beast::tcp_stream>;
template class http_session<tls_stream>;

void start_http_session(net::ip::tcp::socket socket, session_context& ctx) {
    if (ctx.tls)
        std::make_shared<http_session<tls_stream>>(std::move(socket), ctx)->run();
    else
        std::make_shared<http_session<beast::tcp_stream>>(std::move(socket), ctx)->run();
}

}  // namespace parley::server
