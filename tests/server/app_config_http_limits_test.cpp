#include "app/config.hpp"

#include <stdlib.h>

#include <doctest/doctest.h>

#include <variant>

using parley::server::config_exit;
using parley::server::parse_command_line;
using parley::server::server_config;

namespace {

/// The configuration `args` give (argv[0] added); fails the test on an exit.
server_config parsed(std::initializer_list<const char*> args) {
    std::vector<const char*> argv = {"parley-server"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto outcome = parse_command_line(static_cast<int>(argv.size()), argv.data());
    const auto* config = std::get_if<server_config>(&outcome);
    REQUIRE(config != nullptr);
    return *config;
}

int exit_code(std::initializer_list<const char*> args) {
    std::vector<const char*> argv = {"parley-server"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto outcome = parse_command_line(static_cast<int>(argv.size()), argv.data());
    const auto* exit = std::get_if<config_exit>(&outcome);
    return exit ? exit->code : 0;
}

}  // namespace

TEST_CASE("--max-connections-per-address defaults to 32, takes 0 (no limit), and reads its environment variable") {
    CHECK(parsed({}).max_connections_per_address == 32);
    CHECK(parsed({"--max-connections-per-address", "3"}).max_connections_per_address == 3);
    CHECK(parsed({"--max-connections-per-address", "0"}).max_connections_per_address == 0);
    CHECK(exit_code({"--max-connections-per-address", "-1"}) == 2);
    CHECK(exit_code({"--max-connections-per-address", "many"}) == 2);
    ::setenv("PARLEY_MAX_CONNECTIONS_PER_ADDRESS", "7", 1);
    const auto from_env = parsed({});
    const auto flag_wins = parsed({"--max-connections-per-address", "9"});
    ::unsetenv("PARLEY_MAX_CONNECTIONS_PER_ADDRESS");
    CHECK(from_env.max_connections_per_address == 7);
    CHECK(flag_wins.max_connections_per_address == 9);
}

TEST_CASE("--header-timeout-ms defaults to 10 s and is bounded") {
    CHECK(parsed({}).header_timeout_ms == 10'000);
    CHECK(parsed({"--header-timeout-ms", "500"}).header_timeout_ms == 500);
    CHECK(exit_code({"--header-timeout-ms", "0"}) == 2);
    CHECK(exit_code({"--header-timeout-ms", "99"}) == 2);
    ::setenv("PARLEY_HEADER_TIMEOUT_MS", "2500", 1);
    const auto from_env = parsed({});
    ::unsetenv("PARLEY_HEADER_TIMEOUT_MS");
    CHECK(from_env.header_timeout_ms == 2500);
}
