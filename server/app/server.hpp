#pragma once
// The whole server: I/O threads, listener, hub and store, from start to a clean stop.

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "metrics/metrics.hpp"

namespace parley::server {

/// A running server. Construct (binds the port, opens the store; throws on failure with
/// a readable message), then run() on one thread; stop() from any thread.
class server {
public:
    explicit server(server_config config);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Serves until stop(); returns after every connection is closed and the store flushed.
    /// With `handle_signals`, SIGINT and SIGTERM call stop().
    void run(bool handle_signals = false);
    /// Stops accepting, closes every WebSocket with 1001, flushes storage. Any thread.
    void stop();

    /// The bound port (with port 0, the one the OS picked).
    unsigned short port() const;
    server_metrics& metrics();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace parley::server
