#include "net/listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "app/log.hpp"
#include "net/http_session.hpp"

namespace parley::server {

namespace net = boost::asio;
using boost::system::error_code;

listener::listener(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, session_context& ctx)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), backoff_(acceptor_.get_executor()), ctx_(ctx) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

void listener::run() { do_accept(); }

void listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        error_code ignored;
        self->acceptor_.close(ignored);
        self->backoff_.cancel();
    });
}

void listener::do_accept() {
    // Each connection gets its own strand: its handlers never run concurrently.
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](const error_code& ec,
                                                                              net::ip::tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
    });
}

void listener::on_accept(const error_code& ec, net::ip::tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // Out of file descriptors and the like: log, and try again shortly rather than
        // spinning on an error that will not clear this instant.
        log_warn("accept: " + ec.message());
        backoff_.expires_after(std::chrono::milliseconds(50));
        backoff_.async_wait([self = shared_from_this()](const error_code&) { self->do_accept(); });
        return;
    } else {
        error_code ignored;
        socket.set_option(net::ip::tcp::no_delay(true), ignored);
        start_http_session(std::move(socket), ctx_);
    }
    do_accept();
}

}  // namespace parley::server
