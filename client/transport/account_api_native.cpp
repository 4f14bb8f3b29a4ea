// The native account_api: each request is one HTTP/1.1 exchange (http:// or https://) on
// a short-lived thread with its own io_context, so a slow server never stalls the UI or
// the WebSocket thread. Replies wait in a mutex-guarded list until poll() runs them.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "model/account_api.hpp"
#include "ws_url.hpp"

namespace parley::client {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

/// The whole exchange (resolve, connect, TLS, write, read) gives up after 15 s: a login
/// answers in well under a second even with Argon2id; beyond this the user retries.
constexpr auto request_timeout = std::chrono::seconds(15);
/// Requests in flight at once: a person clicks one button at a time; this bounds the
/// threads if the UI misbehaves.
constexpr std::size_t max_in_flight = 4;
/// Largest reply body read: account replies are a few hundred bytes; a full audit page
/// (1,000 entries of at most ~250 bytes) stays under 256 KiB.
constexpr std::uint64_t max_reply_bytes = 1024 * 1024;

/// A reply that never came from the server: status 0 and why.
account_reply failed(std::string why) {
    account_reply reply;
    reply.error = std::move(why);
    return reply;
}

/// One request to make.
struct request_spec {
    ws_url where;  ///< parsed base (tls, host, port); target replaced by the API path
    http::verb method = http::verb::post;
    std::string target;
    std::string body;    ///< JSON, empty for logout and audit
    std::string bearer;  ///< token for Authorization, empty for none
};

/// Builds the request and reads the reply over `stream` (plain or TLS).
template <class Stream>
net::awaitable<account_reply> exchange(Stream& stream, const request_spec& spec, beast::error_code& ec) {
    http::request<http::string_body> request{spec.method, spec.target, 11};
    request.set(http::field::host, spec.where.host_header());
    request.set(http::field::user_agent, "parley-client");
    if (!spec.bearer.empty()) request.set(http::field::authorization, "Bearer " + spec.bearer);
    if (!spec.body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = spec.body;
    request.prepare_payload();
    co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failed("send: " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_reply_bytes);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failed("receive: " + ec.message());
    const auto& response = parser.get();
    co_return parse_account_reply(static_cast<int>(response.result_int()), response.body(),
                                  response[http::field::retry_after]);
}

/// Connects and runs the exchange; every failure becomes a status-0 reply.
net::awaitable<account_reply> perform(request_spec spec, ssl::context& tls, bool verify_peer) {
    auto executor = co_await net::this_coro::executor;
    beast::error_code ec;
    tcp::resolver resolver(executor);
    beast::tcp_stream tcp_stream(executor);
    tcp_stream.expires_after(request_timeout);
    const auto endpoints = co_await resolver.async_resolve(spec.where.host, spec.where.port,
                                                           net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failed("resolve " + spec.where.host + ": " + ec.message());
    co_await tcp_stream.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failed("connect: " + ec.message());
    if (!spec.where.tls) co_return co_await exchange(tcp_stream, spec, ec);

    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls);
    // SNI, except for an address literal (RFC 6066 leaves those out).
    beast::error_code not_address;
    net::ip::make_address(spec.where.host, not_address);
    if (not_address && !SSL_set_tlsext_host_name(stream.native_handle(), spec.where.host.c_str()))
        co_return failed("TLS server name refused");
    if (verify_peer) stream.set_verify_callback(ssl::host_name_verification(spec.where.host));
    co_await stream.async_handshake(ssl::stream_base::client, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failed("TLS: " + ec.message());
    co_return co_await exchange(stream, spec, ec);
}

/// Finished replies, shared by the API (UI thread) and its request threads.
struct reply_box {
    std::mutex mutex;
    std::vector<std::pair<account_callback, account_reply>> ready;  ///< bounded by max_in_flight
    std::function<void()> wake;
};

class native_account_api final : public account_api {
public:
    native_account_api(std::string base_url, transport_options tls_options, std::function<void()> wake)
        : box_(std::make_shared<reply_box>()), tls_(ssl::context::tls_client),
          verify_peer_(tls_options.verify_peer) {
        box_->wake = std::move(wake);
        // http(s):// parses like ws(s)://; only the scheme differs.
        std::string as_ws = base_url;
        if (as_ws.starts_with("http://")) as_ws.replace(0, 4, "ws");
        else if (as_ws.starts_with("https://")) as_ws.replace(0, 5, "wss");
        base_ = parse_ws_url(as_ws);
        tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        if (verify_peer_) {
            tls_.set_verify_mode(ssl::verify_peer);
            beast::error_code ec;
            if (tls_options.ca_file.empty()) tls_.set_default_verify_paths(ec);
            else tls_.load_verify_file(tls_options.ca_file, ec);
            // Shown on each https:// request, where the user sees it.
            if (ec) tls_problem_ = "CA certificates: " + ec.message();
        } else {
            tls_.set_verify_mode(ssl::verify_none);
        }
    }
    native_account_api(const native_account_api&) = delete;
    native_account_api& operator=(const native_account_api&) = delete;

    ~native_account_api() override {
        // Every request ends within request_timeout; its reply is dropped with the box.
        for (worker& w : workers_) w.thread.join();
    }

    void register_account(const std::string& user, const std::string& password, account_callback done) override {
        start(http::verb::post, "/api/register", credentials_body(user, password), {}, std::move(done));
    }
    void login(const std::string& user, const std::string& password, account_callback done) override {
        start(http::verb::post, "/api/login", credentials_body(user, password), {}, std::move(done));
    }
    void logout(const std::string& token, account_callback done) override {
        start(http::verb::post, "/api/logout", {}, token, std::move(done));
    }
    void audit(const std::string& token, int limit, account_callback done) override {
        start(http::verb::get, audit_target(limit), {}, token, std::move(done));
    }

    void poll() override {
        reap();
        std::vector<std::pair<account_callback, account_reply>> ready;
        {
            std::lock_guard lock(box_->mutex);
            ready.swap(box_->ready);
        }
        for (auto& [done, reply] : ready)
            if (done) done(std::move(reply));
    }

private:
    struct worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> finished;
    };

    /// Joins the threads whose request is over (they are exiting or gone).
    void reap() {
        for (auto it = workers_.begin(); it != workers_.end();) {
            if (it->finished->load()) {
                it->thread.join();
                it = workers_.erase(it);
            } else {
                ++it;
            }
        }
    }

    /// Queues a reply for the next poll() without a request (refused locally).
    void answer_now(account_callback done, std::string why) {
        std::lock_guard lock(box_->mutex);
        box_->ready.emplace_back(std::move(done), failed(std::move(why)));
    }

    void start(http::verb method, std::string target, std::string body, std::string bearer, account_callback done) {
        reap();
        if (!base_) return answer_now(std::move(done), "the server address is not http:// or https://");
        if (base_->tls && !tls_problem_.empty()) return answer_now(std::move(done), tls_problem_);
        if (workers_.size() >= max_in_flight) return answer_now(std::move(done), "too many requests at once");
        request_spec spec{*base_, method, std::move(target), std::move(body), std::move(bearer)};
        auto finished = std::make_shared<std::atomic<bool>>(false);
        worker w;
        w.finished = finished;
        w.thread = std::thread([spec = std::move(spec), done = std::move(done), box = box_, finished, this]() mutable {
            net::io_context ioc;
            account_reply reply = failed("the request did not finish");
            net::co_spawn(ioc, perform(std::move(spec), tls_, verify_peer_),
                          [&reply](std::exception_ptr failure, account_reply result) {
                              // perform() reports errors as values; a throw here is a bug
                              // or out-of-memory, still a reply rather than a dead thread.
                              reply = failure ? failed("request failed") : std::move(result);
                          });
            ioc.run();
            std::function<void()> wake;
            {
                std::lock_guard lock(box->mutex);
                box->ready.emplace_back(std::move(done), std::move(reply));
                wake = box->wake;
            }
            if (wake) wake();
            finished->store(true);
        });
        workers_.push_back(std::move(w));
    }

    std::shared_ptr<reply_box> box_;
    std::optional<ws_url> base_;
    ssl::context tls_;  ///< read by request threads; outlives them (joined in the destructor)
    bool verify_peer_;
    std::string tls_problem_;
    std::vector<worker> workers_;  ///< bounded by max_in_flight
};

}  // namespace

std::unique_ptr<account_api> make_account_api(std::string base_url, transport_options tls,
                                              std::function<void()> wake) {
    return std::make_unique<native_account_api>(std::move(base_url), std::move(tls), std::move(wake));
}

}  // namespace parley::client
