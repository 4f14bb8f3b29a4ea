// The native token store: one small file, written owner-only before it holds the token.
#include "token_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

namespace parley::platform {
namespace {

/// The token file's path, or empty when neither XDG_CONFIG_HOME nor HOME is set.
std::filesystem::path token_path() {
    if (const char* config = std::getenv("XDG_CONFIG_HOME"); config && *config)
        return std::filesystem::path(config) / "parley" / "token";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".config" / "parley" / "token";
    return {};
}

/// Writes all of `data` to `fd`.
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

std::string load_token(const std::string& server_url) {
    const std::filesystem::path path = token_path();
    if (path.empty()) return {};
    std::ifstream in(path);
    std::string server;
    std::string token;
    // Line 1: the server the token belongs to; line 2: the token.
    if (!std::getline(in, server) || !std::getline(in, token)) return {};
    return server == server_url ? token : std::string();
}

bool save_token(const std::string& server_url, const std::string& token) {
    const std::filesystem::path path = token_path();
    if (path.empty()) return false;
    std::error_code ec;
    if (token.empty()) {
        std::filesystem::remove(path, ec);
        return !ec;
    }
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return false;
    // Created 0600 so the token is never readable by others, not even for a moment; the
    // rename replaces the old file whole, so a crash leaves the old token or the new one.
    const std::filesystem::path temp = path.string() + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    // An old temp file may have been created with looser permissions.
    bool ok = ::fchmod(fd, 0600) == 0 && write_all(fd, server_url + "\n" + token + "\n");
    ok = ::close(fd) == 0 && ok;
    if (ok) std::filesystem::rename(temp, path, ec);
    if (!ok || ec) {
        std::filesystem::remove(temp, ec);
        return false;
    }
    return true;
}

}  // namespace parley::platform
