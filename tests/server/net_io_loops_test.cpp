// The server's event loops (net/io_loops.hpp): one thread each, released and stopped as a
// whole, destroyed safely with handlers that hold another loop's sockets; and a socket
// moved to another loop keeps its connection and is served by that loop's thread.
#include "net/io_loops.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

using namespace parley::server;
namespace net = boost::asio;
using net::ip::tcp;

namespace {

/// A connected pair over loopback: `server_side` made on `loop`, `client` on `other`.
struct socket_pair {
    tcp::socket server_side;
    tcp::socket client;
    socket_pair(net::io_context& loop, net::io_context& other) : server_side(loop), client(other) {
        tcp::acceptor acceptor(loop, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        client.connect(acceptor.local_endpoint());
        acceptor.accept(server_side);
    }
};

}  // namespace

TEST_CASE("io_loops runs each loop on a thread of its own and returns once released") {
    io_loops loops(3);
    REQUIRE(loops.size() == 3);
    std::mutex m;
    std::set<std::thread::id> seen;
    std::atomic<int> ran{0};
    for (std::size_t i = 0; i < loops.size(); ++i)
        net::post(loops.loop(i), [&] {
            std::lock_guard lock(m);
            seen.insert(std::this_thread::get_id());
            if (++ran == 3) loops.release();
        });
    loops.run();  // returns: every loop ran out of work after release()
    CHECK(ran == 3);
    CHECK(seen.size() == 3);
    CHECK(seen.count(std::this_thread::get_id()) == 1);  // loop 0 ran on the caller
}

TEST_CASE("io_loops hands out loops round robin") {
    io_loops loops(2);
    net::io_context* a = &loops.next();
    net::io_context* b = &loops.next();
    CHECK(a != b);
    CHECK(&loops.next() == a);
}

TEST_CASE("defer_on_this_loop runs a task behind what the caller's loop has queued, and refuses other threads") {
    CHECK_FALSE(io_loops::defer_on_this_loop([] { FAIL("ran off any loop"); }));
    io_loops loops(2);
    std::vector<std::string> order;  // loop 1's thread only
    std::thread::id loop1, deferred_on;
    bool deferred = false;
    net::post(loops.loop(1), [&] {
        loop1 = std::this_thread::get_id();
        net::post(loops.loop(1), [&] { order.push_back("queued first"); });
        deferred = io_loops::defer_on_this_loop([&] {
            order.push_back("deferred");
            deferred_on = std::this_thread::get_id();
            loops.release();
        });
        order.push_back("caller");
    });
    loops.run();
    CHECK(deferred);
    CHECK(order == std::vector<std::string>{"caller", "queued first", "deferred"});
    CHECK(deferred_on == loop1);
    CHECK_FALSE(io_loops::defer_on_this_loop([] {}));  // run() has returned
}

TEST_CASE("io_loops is destroyed safely while one loop's queued handler holds another loop's socket") {
    auto loops = std::make_unique<io_loops>(2);
    auto pair = std::make_shared<socket_pair>(loops->loop(1), loops->loop(0));
    // Queued on loop 0, never run, holding sockets of both loops: destroying loop 0's
    // handlers destroys a socket of loop 1 (asan sees a use after free if loop 1 went first).
    net::post(loops->loop(0), [pair] {});
    pair.reset();
    loops.reset();
}

TEST_CASE("move_to_loop keeps the connection and serves it on the new loop's thread") {
    io_loops loops(2);
    socket_pair pair(loops.loop(0), loops.loop(0));
    boost::system::error_code ec;
    tcp::socket moved = move_to_loop(std::move(pair.server_side), loops.executors()[1], ec);
    REQUIRE_FALSE(ec);
    CHECK(same_loop(moved.get_executor(), loops.executors()[1]));
    CHECK_FALSE(same_loop(moved.get_executor(), loops.executors()[0]));

    std::promise<std::thread::id> loop1_thread;
    net::post(loops.loop(1), [&] { loop1_thread.set_value(std::this_thread::get_id()); });
    std::string received(5, '\0');
    std::promise<std::thread::id> read_thread;
    net::async_read(moved, net::buffer(received), [&](const boost::system::error_code& e, std::size_t) {
        CHECK_FALSE(e);
        read_thread.set_value(std::this_thread::get_id());
        loops.release();
        loops.stop();
    });
    net::write(pair.client, net::buffer(std::string("hello")));
    loops.run();
    CHECK(received == "hello");
    CHECK(read_thread.get_future().get() == loop1_thread.get_future().get());

    // Already there: unchanged.
    tcp::socket same = move_to_loop(std::move(moved), loops.executors()[1], ec);
    CHECK_FALSE(ec);
    CHECK(same.is_open());
}
