#pragma once
// The server's event loops: one io_context per I/O thread, each run by that thread alone.
//
// With one io_context shared by every thread, each post (a session handing a frame to a
// shard, a shard handing a frame back to a session, the store's completion) took the
// scheduler's lock and woke another thread, even when the posting thread was about to run
// the handler itself: under W2 the second thread cost about a fifth of the server's CPU in
// wake-ups alone. A loop run by one thread takes asio's single-thread path (concurrency
// hint 1): a post from its own thread is a push on a thread-private queue, no lock and no
// wake-up. Work for another loop is posted to it and wakes it once.
//
// A hub shard lives on loop `shard % loops`. A connection is accepted on the next loop
// (round robin); a plain WebSocket connection then moves to the loop of its path's
// channel (move_to_loop). A message of a channel whose members came by its path then takes
// two hand-offs, to the storage thread and back, instead of up to four (session, shard,
// store, shard, members' sessions). The price: one channel's members share one thread,
// which on this machine writes about a million frames a second (W1). A TLS connection
// keeps its loop (its TLS state cannot move), as does a connection's later joins.
// Strands stay: what runs on them is also reached from other threads.

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace parley::server {

class io_loops {
public:
    /// `count` loops (at least one), each kept running until release() or stop().
    explicit io_loops(std::size_t count);
    /// Shuts every loop down before destroying any (see the .cpp).
    ~io_loops();
    io_loops(const io_loops&) = delete;
    io_loops& operator=(const io_loops&) = delete;

    std::size_t size() const { return loops_.size(); }
    /// Loop `i`; loop 0 runs on the thread that calls run() and carries the server's own
    /// timers and signals.
    boost::asio::io_context& loop(std::size_t i) { return *loops_[i]; }
    /// Every loop's executor, loop 0 first.
    std::vector<boost::asio::any_io_executor> executors();
    /// The loop for the next accepted connection, round robin. Any thread.
    boost::asio::io_context& next();

    /// Runs loop 0 on the calling thread and every other loop on a thread of its own;
    /// returns when all have stopped.
    void run();
    /// Lets each loop return once it runs out of work. Any thread.
    void release();
    /// Stops every loop at once. Any thread.
    void stop();

    /// Posts `task` to the loop the calling thread runs (behind what that loop has queued,
    /// without a wake-up) and returns true; false when the caller runs none of run()'s
    /// loops. How the store commits at the end of a loop's turn (turn_end_commit).
    static bool defer_on_this_loop(std::function<void()> task);

private:
    /// An io_context whose shutdown (destroying its queued handlers) can be called ahead of
    /// its destruction.
    struct loop_context : boost::asio::io_context {
        using io_context::io_context;
        using execution_context::shutdown;
    };
    std::vector<std::unique_ptr<loop_context>> loops_;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::atomic<std::size_t> next_{0};
};

/// Whether `a` and `b` run on the same loop (a strand runs on its inner executor's loop).
bool same_loop(const boost::asio::any_io_executor& a, const boost::asio::any_io_executor& b);

/// `socket` on a new strand of `loop`: the same descriptor, registered with that loop's
/// reactor instead of its own. Unchanged when it is already there. No operation may be
/// pending on it. On failure `ec` is set and the descriptor is closed.
boost::asio::ip::tcp::socket move_to_loop(boost::asio::ip::tcp::socket socket,
                                          const boost::asio::any_io_executor& loop,
                                          boost::system::error_code& ec);

}  // namespace parley::server
