#pragma once
// A real parley server on an ephemeral loopback port, in a background thread, with a
// fresh data directory: what the integration tests talk to over sockets.

#include <filesystem>
#include <memory>
#include <thread>

#include "app/config.hpp"
#include "temp_dir.hpp"
#include "app/server.hpp"

namespace parley::test {

/// The configuration tests start from: port 0, loopback, quiet logs, `data` as data dir,
/// no per-address connection limit (every test client comes from 127.0.0.1).
server::server_config test_config(const std::filesystem::path& data);

/// A running server; stops (and waits) on destruction.
class test_server {
public:
    explicit test_server(server::server_config config);
    ~test_server();
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    unsigned short port() const { return port_; }
    server::server_metrics& metrics() { return server_->metrics(); }
    /// Stops the server and waits for run() to return.
    void stop();

private:
    std::unique_ptr<server::server> server_;
    std::thread thread_;
    unsigned short port_ = 0;
};

/// A fresh data directory and a server on it, made from test_config() changed by `adjust`.
struct server_fixture {
    temp_dir dir;
    test_server server;
    explicit server_fixture(void (*adjust)(server::server_config&) = nullptr) : server(make(dir, adjust)) {}
    static server::server_config make(const temp_dir& d, void (*adjust)(server::server_config&)) {
        auto config = test_config(d.path());
        if (adjust) adjust(config);
        return config;
    }
};

}  // namespace parley::test
