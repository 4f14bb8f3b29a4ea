// Desktop launch: the command line over the remembered settings file.

#include "launch.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>
#include <vector>

namespace parley::platform {
namespace {

/// The remembered file's path for this user, if the environment names a home.
std::optional<std::filesystem::path> settings_file() {
    return options::config_file_path(std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"));
}

}  // namespace

std::variant<options::launch_settings, options::launch_exit> read_launch_settings(int argc, char** argv) {
    options::launch_settings remembered;
    remembered.server_url = std::string(options::default_server_url);
    if (const auto path = settings_file()) {
        // A missing or unreadable file just means nothing is remembered yet.
        std::ifstream in(*path);
        if (in) {
            std::ostringstream text;
            text << in.rdbuf();
            remembered = options::parse_config(text.str(), std::move(remembered));
        }
    }
    std::vector<std::string_view> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    return options::parse_command_line(args, std::move(remembered));
}

std::string remember_launch_settings(const options::launch_settings& settings) {
    const auto path = settings_file();
    if (!path) return "neither XDG_CONFIG_HOME nor HOME is set";
    std::error_code ec;
    std::filesystem::create_directories(path->parent_path(), ec);
    if (ec) return "cannot create " + path->parent_path().string() + ": " + ec.message();
    // Write a sibling and rename it over the old file, so a crash never leaves half a file.
    const std::filesystem::path temporary = path->string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << options::format_config(settings);
        if (!out) return "cannot write " + temporary.string();
    }
    std::filesystem::rename(temporary, *path, ec);
    if (ec) return "cannot replace " + path->string() + ": " + ec.message();
    return {};
}

std::uint64_t random_seed() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace parley::platform
