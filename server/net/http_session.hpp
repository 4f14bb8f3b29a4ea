#pragma once
// One plain HTTP connection: reads requests with Beast, answers them through the router,
// and hands the socket to a ws_session when a request upgrades.

#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/session_context.hpp"

namespace parley::server {

/// An HTTP session; made with make_shared; its socket's executor is a strand.
class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(boost::asio::ip::tcp::socket socket, session_context& ctx);
    /// Starts reading the first request.
    void run();

private:
    void do_read();
    void on_read(const boost::system::error_code& ec, std::size_t bytes);
    void on_write(bool keep_alive, const boost::system::error_code& ec, std::size_t bytes);
    void upgrade(boost::beast::http::request<boost::beast::http::string_body>&& req);
    void call_api(boost::beast::http::request<boost::beast::http::string_body>&& req);
    void refuse(unsigned status, const std::string& reason, bool keep_alive);
    void do_close();

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    session_context& ctx_;
    std::string peer_;     ///< "address:port", for logs
    std::string address_;  ///< the peer's IP address (throttling, bans)
    int requests_served_ = 0;
};

}  // namespace parley::server
