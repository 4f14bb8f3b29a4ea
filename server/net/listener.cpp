#include "net/listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "log/log.hpp"
#include "log/guarded.hpp"
#include "net/http_session.hpp"

namespace parley::server {

namespace net = boost::asio;
using boost::system::error_code;

listener::listener(io_loops& loops, const net::ip::tcp::endpoint& endpoint, session_context& ctx)
    : loops_(loops), acceptor_(net::make_strand(loops.loop(0))), backoff_(acceptor_.get_executor()), ctx_(ctx) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

void listener::run() { do_accept(); }

void listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        guarded(
            "listener stop",
            [&] {
                error_code ignored;
                self->acceptor_.close(ignored);
                self->backoff_.cancel();
            },
            [] {});
    });
}

void listener::do_accept() {
    // Each connection gets its own strand on the next loop: its handlers never run
    // concurrently, and the hub's work for it stays on that loop's thread.
    acceptor_.async_accept(net::make_strand(loops_.next()), [self = shared_from_this()](const error_code& ec,
                                                                                       net::ip::tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
    });
}

void listener::retry_later() {
    // Out of file descriptors and the like: try again shortly rather than spinning on an
    // error that will not clear this instant.
    backoff_.expires_after(std::chrono::milliseconds(50));
    backoff_.async_wait([self = shared_from_this()](const error_code&) {
        guarded("accept retry", [&] { self->do_accept(); }, [&] { self->retry_later(); });
    });
}

void listener::on_accept(const error_code& ec, net::ip::tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        log_warn("accept: " + ec.message());
        return retry_later();
    }
    // A throw while setting up one connection (std::bad_alloc making its session) closes
    // that connection only; the listener goes on accepting.
    guarded(
        "accept",
        [&] {
            error_code ignored;
            socket.set_option(net::ip::tcp::no_delay(true), ignored);
            start_http_session(std::move(socket), ctx_);
        },
        [&] {
            error_code ignored;
            socket.close(ignored);
        });
    guarded("accept next", [&] { do_accept(); }, [&] { retry_later(); });
}

}  // namespace parley::server
