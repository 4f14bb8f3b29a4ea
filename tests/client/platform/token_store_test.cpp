// The native token store: a per-server, owner-only file under XDG_CONFIG_HOME.
#include "token_store.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

using namespace parley::platform;

namespace {

/// Points XDG_CONFIG_HOME at a fresh directory for one test; removes it afterwards.
class config_home {
public:
    config_home() {
        path_ = std::filesystem::temp_directory_path() / ("parley-token-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path_);
        ::setenv("XDG_CONFIG_HOME", path_.c_str(), 1);
    }
    ~config_home() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    config_home(const config_home&) = delete;
    config_home& operator=(const config_home&) = delete;
    std::filesystem::path token_file() const { return path_ / "parley" / "token"; }

private:
    std::filesystem::path path_;
};

}  // namespace

TEST_CASE("a saved token is loaded again for the same server") {
    config_home home;
    CHECK(load_token("ws://127.0.0.1:8080").empty());
    REQUIRE(save_token("ws://127.0.0.1:8080", "secret-1"));
    CHECK(load_token("ws://127.0.0.1:8080") == "secret-1");
    REQUIRE(save_token("ws://127.0.0.1:8080", "secret-2"));
    CHECK(load_token("ws://127.0.0.1:8080") == "secret-2");
}

TEST_CASE("the token file is readable by its owner only") {
    config_home home;
    REQUIRE(save_token("ws://h", "secret"));
    struct stat info {};
    REQUIRE(::stat(home.token_file().c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("a token saved for one server is not offered to another") {
    config_home home;
    REQUIRE(save_token("ws://a.example", "secret"));
    CHECK(load_token("ws://b.example").empty());
}

TEST_CASE("saving an empty token forgets the saved one") {
    config_home home;
    REQUIRE(save_token("ws://h", "secret"));
    CHECK(save_token("ws://h", ""));
    CHECK(load_token("ws://h").empty());
    CHECK_FALSE(std::filesystem::exists(home.token_file()));
}
