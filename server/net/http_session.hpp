#pragma once
// One HTTP connection, plain or TLS: reads requests with Beast, answers them through the
// router, and hands the connection to a ws_session when a request upgrades.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/session_context.hpp"

namespace parley::server {

/// Serves a freshly accepted connection (its executor a strand): over TLS when the server
/// has a TLS context (ctx.tls), else plain. Any thread.
void start_http_session(boost::asio::ip::tcp::socket socket, session_context& ctx);

/// An HTTP session over `Stream`: boost::beast::tcp_stream, or tls_stream (net/tls_stream.hpp);
/// http_session.cpp instantiates both. Made with make_shared; its executor is a strand.
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
public:
    /// Takes over `socket`; a TLS session uses the context in ctx.tls, which must be set.
    http_session(boost::asio::ip::tcp::socket socket, session_context& ctx);
    /// Starts the TLS handshake, if any, then reads the first request.
    void run();

private:
    static constexpr bool is_tls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

    /// Wraps `socket` in the stream (a TLS one is made from the server's context).
    static Stream open(boost::asio::ip::tcp::socket&& socket, session_context& ctx);
    /// The TCP stream under the TLS layer, or the stream itself; its deadline bounds every read.
    boost::beast::tcp_stream& tcp();
    void on_handshake(const boost::system::error_code& ec) requires(is_tls);
    /// Waits for the next request: on a kept-alive connection with nothing buffered, first
    /// for its first byte (the idle timeout), then read_request.
    void do_read();
    void on_first_bytes(const boost::system::error_code& ec, std::size_t bytes);
    /// Reads one request under the header deadline.
    void read_request();
    void on_read(const boost::system::error_code& ec, std::size_t bytes);
    void on_write(bool keep_alive, const boost::system::error_code& ec, std::size_t bytes);
    void upgrade(boost::beast::http::request<boost::beast::http::string_body>&& req);
    /// Answers a route::page request through the router (http/router.hpp).
    void serve_page(boost::beast::http::request<boost::beast::http::string_body>&& req);
    void call_api(boost::beast::http::request<boost::beast::http::string_body>&& req);
    /// Answers `status` with `reason` as the body; a non-zero `retry_after` adds Retry-After.
    void refuse(unsigned status, const std::string& reason, bool keep_alive,
                std::chrono::seconds retry_after = std::chrono::seconds(0));
    void do_close();
    /// Runs a completion handler's body under log/guarded.hpp's catch: a throw is logged and
    /// closes this connection only.
    template <class Body>
    void guard(std::string_view where, Body&& body);
    /// Closes the socket at once (after a handler threw); nothing once the stream moved on.
    void abort();

    Stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    session_context& ctx_;
    std::string peer_;     ///< "address:port", for logs
    std::string address_;  ///< the peer's IP address (throttling, bans, connection limit)
    std::uint16_t port_ = 0;  ///< the peer's port
    std::chrono::milliseconds header_timeout_;  ///< ctx.limits.header_timeout
    int requests_served_ = 0;
    bool moved_ = false;  ///< the stream went to a ws_session: this object holds none
};

}  // namespace parley::server
