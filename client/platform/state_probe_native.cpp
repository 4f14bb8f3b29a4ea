// Desktop probe: the snapshot goes to the file named by PARLEY_STATE_FILE (tests set it),
// replaced atomically so a reader never sees half of it.

#include "state_probe.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace parley::platform {
namespace {

const char* state_file() {
    return std::getenv("PARLEY_STATE_FILE");
}

}  // namespace

bool state_probe_enabled() {
    const char* path = state_file();
    return path && path[0] != '\0';
}

void publish_visible_state(std::string json) {
    if (!state_probe_enabled()) return;
    const std::filesystem::path path = state_file();
    const std::filesystem::path temporary = path.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << json;
        if (!out) return;  // a probe that cannot write must not disturb the client
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
}

}  // namespace parley::platform
