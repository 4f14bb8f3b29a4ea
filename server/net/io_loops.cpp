#include "net/io_loops.hpp"

#include <algorithm>
#include <thread>

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace parley::server {

namespace {
// The loop run() runs on this thread, for defer_on_this_loop().
thread_local boost::asio::io_context* this_thread_loop = nullptr;

void run_as_this_thread_loop(boost::asio::io_context& loop) {
    this_thread_loop = &loop;
    loop.run();
    this_thread_loop = nullptr;
}
}  // namespace

io_loops::io_loops(std::size_t count) {
    count = std::max<std::size_t>(1, count);
    for (std::size_t i = 0; i < count; ++i) {
        loops_.push_back(std::make_unique<loop_context>(1));  // hint 1: one thread runs it
        work_.emplace_back(loops_.back()->get_executor());
    }
}

io_loops::~io_loops() {
    // A handler queued on one loop may hold the last reference to a session whose socket
    // belongs to another (a shard's delivery to a member elsewhere). Destroying loop A
    // would then destroy a socket of loop B, and destroying B later a socket of A after A
    // is gone. Shutting every loop down first destroys all queued handlers while every
    // loop's services still exist (asio lets an I/O object outlive its service's shutdown,
    // not its destruction); then the loops are destroyed.
    work_.clear();
    for (auto& loop : loops_) loop->shutdown();
    loops_.clear();
}

std::vector<boost::asio::any_io_executor> io_loops::executors() {
    std::vector<boost::asio::any_io_executor> out;
    out.reserve(loops_.size());
    for (auto& loop : loops_) out.emplace_back(loop->get_executor());
    return out;
}

boost::asio::io_context& io_loops::next() {
    return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

void io_loops::run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < loops_.size(); ++i)
        threads.emplace_back([loop = loops_[i].get()] { run_as_this_thread_loop(*loop); });
    run_as_this_thread_loop(*loops_[0]);
    for (auto& t : threads) t.join();
}

void io_loops::release() {
    work_.clear();
}

void io_loops::stop() {
    for (auto& loop : loops_) loop->stop();
}

bool io_loops::defer_on_this_loop(std::function<void()> task) {
    if (this_thread_loop == nullptr) return false;
    boost::asio::post(*this_thread_loop, std::move(task));
    return true;
}

bool same_loop(const boost::asio::any_io_executor& a, const boost::asio::any_io_executor& b) {
    namespace execution = boost::asio::execution;
    return &boost::asio::query(a, execution::context) == &boost::asio::query(b, execution::context);
}

boost::asio::ip::tcp::socket move_to_loop(boost::asio::ip::tcp::socket socket,
                                          const boost::asio::any_io_executor& loop,
                                          boost::system::error_code& ec) {
    ec = {};
    if (same_loop(socket.get_executor(), loop)) return socket;
    const auto protocol = socket.local_endpoint(ec).protocol();
    if (ec) return socket;
    const auto fd = socket.release(ec);
    if (ec) return socket;
    // A strand over the loop's own executor type, as the listener makes: wrapped in the
    // socket's any_io_executor it is stored inline, where a strand over an any_io_executor
    // would be a shared, reference-counted copy on the heap.
    const auto* direct = loop.target<boost::asio::io_context::executor_type>();
    boost::asio::ip::tcp::socket moved(direct ? boost::asio::any_io_executor(boost::asio::make_strand(*direct))
                                              : boost::asio::any_io_executor(boost::asio::make_strand(loop)));
    moved.assign(protocol, fd, ec);
    if (ec) ::close(fd);  // neither socket owns it now
    return moved;
}

}  // namespace parley::server
