#include "launch_options.hpp"

#include <doctest/doctest.h>

using namespace parley::options;

namespace {

std::variant<launch_settings, launch_exit> parse(std::vector<std::string_view> args,
                                                 launch_settings remembered = {}) {
    return parse_command_line(args, std::move(remembered));
}

}  // namespace

TEST_CASE("command line sets server, name and channel, and a name joins at once") {
    const auto outcome = parse({"--url", "ws://host:9000", "--name", "ann", "--channel", "fishing"});
    REQUIRE(std::holds_alternative<launch_settings>(outcome));
    const auto& s = std::get<launch_settings>(outcome);
    CHECK(s.server_url == "ws://host:9000");
    CHECK(s.name == "ann");
    CHECK(s.channel == "fishing");
    CHECK(s.join_at_once);
    CHECK(s.server_editable);
}

TEST_CASE("command line accepts --flag=value and drops a trailing slash of the URL") {
    const auto outcome = parse({"--url=wss://chat.example/", "--channel=random"});
    REQUIRE(std::holds_alternative<launch_settings>(outcome));
    CHECK(std::get<launch_settings>(outcome).server_url == "wss://chat.example");
    CHECK(std::get<launch_settings>(outcome).channel == "random");
    CHECK_FALSE(std::get<launch_settings>(outcome).join_at_once);
}

TEST_CASE("without flags the remembered settings stand and the start screen shows") {
    launch_settings remembered;
    remembered.server_url = "ws://remembered:1";
    remembered.name = "bob";
    const auto outcome = parse({}, remembered);
    REQUIRE(std::holds_alternative<launch_settings>(outcome));
    CHECK(std::get<launch_settings>(outcome).server_url == "ws://remembered:1");
    CHECK(std::get<launch_settings>(outcome).name == "bob");
    CHECK_FALSE(std::get<launch_settings>(outcome).join_at_once);
}

TEST_CASE("an empty server falls back to the default") {
    const auto outcome = parse({});
    REQUIRE(std::holds_alternative<launch_settings>(outcome));
    CHECK(std::get<launch_settings>(outcome).server_url == default_server_url);
}

TEST_CASE("help exits 0 with usage, a bad flag or value exits 2 with the reason") {
    const auto help = parse({"--help"});
    REQUIRE(std::holds_alternative<launch_exit>(help));
    CHECK(std::get<launch_exit>(help).code == 0);
    CHECK(std::get<launch_exit>(help).text.find("usage: parley") != std::string::npos);
    for (const auto& args : std::vector<std::vector<std::string_view>>{{"--bogus"},
                                                                       {"--name"},
                                                                       {"--name", "has space"},
                                                                       {"--channel", "UPPER"},
                                                                       {"--url", "http://x"}}) {
        const auto outcome = parse(args);
        REQUIRE(std::holds_alternative<launch_exit>(outcome));
        CHECK(std::get<launch_exit>(outcome).code == 2);
    }
}

TEST_CASE("server URLs must be ws or wss, with a host and no path") {
    CHECK_FALSE(check_server_url("ws://127.0.0.1:8080"));
    CHECK_FALSE(check_server_url("wss://chat.example/"));
    CHECK(check_server_url("http://chat.example"));
    CHECK(check_server_url("ws://"));
    CHECK(check_server_url("ws://host/fishing"));
    CHECK(check_server_url("ws://host?x=1"));
}

TEST_CASE("config text round-trips and bad or unknown lines are ignored") {
    launch_settings s;
    s.server_url = "ws://h:1";
    s.name = "ann";
    s.channel = "fishing";
    const launch_settings back = parse_config(format_config(s), {});
    CHECK(back.server_url == "ws://h:1");
    CHECK(back.name == "ann");
    CHECK(back.channel == "fishing");

    const launch_settings odd =
        parse_config("# comment\nname = bad name\nchannel=ok\ncolour = blue\nnot a line\n", {});
    CHECK(odd.name.empty());
    CHECK(odd.channel == "ok");
}

TEST_CASE("config file lives under XDG_CONFIG_HOME, else ~/.config") {
    CHECK(config_file_path("/x", "/home/a") == std::filesystem::path("/x/parley/client.conf"));
    CHECK(config_file_path(nullptr, "/home/a") ==
          std::filesystem::path("/home/a/.config/parley/client.conf"));
    CHECK(config_file_path("relative", "/home/a") ==
          std::filesystem::path("/home/a/.config/parley/client.conf"));
    CHECK_FALSE(config_file_path(nullptr, nullptr));
}

TEST_CASE("the page's origin, path and ?name= give server, channel and an instant join") {
    const launch_settings s =
        settings_from_page("http:", "127.0.0.1:8080", "/fishing", "?name=ann");
    CHECK(s.server_url == "ws://127.0.0.1:8080");
    CHECK(s.channel == "fishing");
    CHECK(s.name == "ann");
    CHECK(s.join_at_once);
    CHECK_FALSE(s.server_editable);
    CHECK(settings_from_page("https:", "chat.example", "/", "").server_url ==
          "wss://chat.example");
}

TEST_CASE("the root path joins general and a bad path says so") {
    CHECK(settings_from_page("http:", "h", "/", "").channel == "general");
    const launch_settings bad = settings_from_page("http:", "h", "/Bad%20Path", "");
    CHECK(bad.channel == "general");
    CHECK_FALSE(bad.problem.empty());
}

TEST_CASE("a ?name= that breaks the name rule fills the form but does not join") {
    const launch_settings s = settings_from_page("http:", "h", "/x", "?name=ann%20smith");
    CHECK(s.name == "ann smith");
    CHECK_FALSE(s.join_at_once);
    CHECK_FALSE(s.problem.empty());
}

TEST_CASE("query values are percent-decoded; malformed escapes are refused") {
    CHECK(query_value("?a=1&name=b%C3%A9a+x", "name") == std::optional<std::string>("b\xC3\xA9"
                                                                                                 "a x"));
    CHECK(query_value("a=1", "name") == std::nullopt);
    CHECK(query_value("name", "name") == std::optional<std::string>(""));
    CHECK(decode_query_value("%G1") == std::nullopt);
    CHECK(decode_query_value("%4") == std::nullopt);
}

TEST_CASE("--ca names the CA file wss:// trusts; without it the system store is used") {
    const auto with = parse({"--url", "wss://chat.example", "--ca", "/etc/parley/ca.pem"});
    REQUIRE(std::holds_alternative<launch_settings>(with));
    CHECK(std::get<launch_settings>(with).ca_file == "/etc/parley/ca.pem");
    const auto without = parse({"--url", "wss://chat.example"});
    REQUIRE(std::holds_alternative<launch_settings>(without));
    CHECK(std::get<launch_settings>(without).ca_file.empty());
    CHECK(std::holds_alternative<launch_exit>(parse({"--ca"})));
}
