// parley-server: reads the configuration and runs the server until SIGINT/SIGTERM.
// Exceptions exist only at start-up (bad flags, unusable data dir or port); they end
// here as one line and a non-zero exit code.

#include <cstdio>
#include <exception>
#include <variant>

#include "app/admin_cli.hpp"
#include "app/config.hpp"
#include "app/migrate_cli.hpp"
#include "log/log.hpp"
#include "app/server.hpp"

int main(int argc, char** argv) {
    using namespace parley::server;
    auto outcome = parse_command_line(argc, argv);
    if (auto* exit = std::get_if<config_exit>(&outcome)) {
        std::fputs(exit->text.c_str(), exit->code == 0 ? stdout : stderr);
        std::fputc('\n', exit->code == 0 ? stdout : stderr);
        return exit->code;
    }
    if (auto* admin = std::get_if<admin_command>(&outcome)) return run_admin(*admin);
    if (auto* migrate = std::get_if<migrate_command>(&outcome)) return run_migrate(*migrate);
    auto& config = std::get<server_config>(outcome);
    set_log_level(config.level);
    try {
        server s(std::move(config));
        s.run(/*handle_signals=*/true);
    } catch (const std::exception& e) {
        log_error(e.what());
        return 1;
    }
    return 0;
}
