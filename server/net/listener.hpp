#pragma once
// Accepts TCP connections and starts an http_session for each, on a strand of its own on
// the next event loop (net/io_loops.hpp).

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/io_loops.hpp"
#include "net/session_context.hpp"

namespace parley::server {

/// The accepting socket. Made with make_shared; the pending accept holds it.
class listener : public std::enable_shared_from_this<listener> {
public:
    /// Binds and listens on `endpoint`; throws boost::system::system_error on failure
    /// (start-up only: main turns it into a message and an exit code).
    /// Accepts on loop 0; each connection goes to loops.next().
    listener(io_loops& loops, const boost::asio::ip::tcp::endpoint& endpoint, session_context& ctx);

    /// Starts accepting.
    void run();
    /// Stops accepting; any thread.
    void stop();
    /// The bound port (useful with port 0).
    unsigned short port() const { return port_; }

private:
    void do_accept();
    /// Every handler body runs under log/guarded.hpp: a throw never stops the accept loop.
    void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
    /// Accepts again after a short backoff (an accept error, or a throw starting the next one).
    void retry_later();

    io_loops& loops_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer backoff_;  ///< delays the next accept after an error
    session_context& ctx_;
    unsigned short port_ = 0;
};

}  // namespace parley::server
