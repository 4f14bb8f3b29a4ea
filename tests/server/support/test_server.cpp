#include "test_server.hpp"

#include "log/log.hpp"
#include "test_database.hpp"

namespace parley::test {

server::server_config test_config(const std::filesystem::path& data) {
    server::server_config config;
    config.bind = "127.0.0.1";
    config.port = 0;
    config.data_dir = data;
    config.postgres = test_postgres_for(data);
    config.web_root = data / "no-web-root";
    config.threads = 2;
    config.level = server::log_level::warn;
    // Tests open many connections from 127.0.0.1; the one that tests the limit sets its own.
    config.max_connections_per_address = 0;
    server::set_log_level(config.level);
    return config;
}

test_server::test_server(server::server_config config)
    : server_(std::make_unique<server::server>(std::move(config))) {
    port_ = server_->port();
    thread_ = std::thread([this] { server_->run(); });
}

test_server::~test_server() { stop(); }

void test_server::stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
}

}  // namespace parley::test
