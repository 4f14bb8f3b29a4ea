// Integration: the parley-server binary as a process: crash recovery (kill -9), shutdown
// on SIGTERM, flags and exit codes. Loopback only, on ports the server picks (--port 0).
#include "support/server_process.hpp"
#include "support/raw_ws_client.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <signal.h>

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

using namespace parley;
using namespace parley::test;

namespace {

/// The flags of a test server on `data`: any free loopback port, no browser client.
std::vector<std::string> server_args(const std::filesystem::path& data) {
    return {"--bind", "127.0.0.1", "--port", "0", "--data", data.string(), "--web-root", (data / "no-web").string(),
            "--threads", "2", "--max-connections-per-address", "0"};
}

/// Every flag parley-server has (PROTOCOL.md names --rate-limit, --rate-burst, --allow-origin
/// and --max-frame; the rest are the operator's knobs in server/app/config.cpp).
const std::vector<std::string> all_flags = {"--help",      "--bind",       "--port",       "--data",
                                            "--web-root",  "--heartbeat-ms", "--max-frame", "--threads",
                                            "--log-level", "--sync",       "--rate-limit", "--rate-burst",
                                            "--send-queue", "--allow-origin", "--max-connections-per-address",
                                            "--header-timeout-ms"};

}  // namespace

TEST_CASE("acknowledged messages survive kill -9: after a restart they are in the history and ids keep rising") {
    temp_dir dir;
    std::vector<chat_message> acknowledged;
    {
        server_process first(server_args(dir.path() / "data"));
        const auto port = first.wait_listening();
        REQUIRE(port != 0);
        test_client ann(port, "/general");
        ann.read_welcome();
        REQUIRE(ann.identify("ann").success);
        for (int i = 0; i < 5; ++i) {
            const std::string nonce = "k" + std::to_string(i);
            ann.send(post("survives " + std::to_string(i), nonce));
            auto echo = ann.next_of<chat_message>();  // the receipt: sent only once stored
            REQUIRE(echo);
            REQUIRE(echo->nonce == nonce);
            acknowledged.push_back(*echo);
        }
        first.signal(SIGKILL);
        CHECK(first.wait_exit() == 128 + SIGKILL);
    }

    server_process second(server_args(dir.path() / "data"));
    const auto port = second.wait_listening();
    REQUIRE(port != 0);
    test_client bob(port, "/general");
    REQUIRE(bob.next_of<connection_info>());
    REQUIRE(bob.next_of<joined_notice>());
    auto page = bob.next_of<history_page>();
    REQUIRE(page);
    REQUIRE(page->messages.size() == acknowledged.size());
    for (std::size_t i = 0; i < acknowledged.size(); ++i) {
        CAPTURE(i);
        CHECK(page->messages[i].id == acknowledged[i].id);
        CHECK(page->messages[i].text == acknowledged[i].text);
        CHECK(page->messages[i].user == "ann");
        CHECK(page->messages[i].timestamp == acknowledged[i].timestamp);
    }

    REQUIRE(bob.identify("bob").success);
    bob.send(post("after the crash", "b1"));
    auto echo = bob.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->id > acknowledged.back().id);

    // A resend from before the crash is still recognised: the stored message, not a new one.
    test_client ann(port, "/general");
    ann.read_welcome();
    REQUIRE(ann.identify("ann").success);
    ann.send(post("survives 4", "k4"));
    auto resent = ann.next_of<chat_message>();
    REQUIRE(resent);
    CHECK(resent->id == acknowledged.back().id);
    CHECK(resent->nonce == "k4");
    ann.send(client_frame{history_request{}, std::nullopt});
    auto after = ann.next_of<history_page>();
    REQUIRE(after);
    CHECK(after->messages.size() == acknowledged.size() + 1);
}

TEST_CASE("SIGTERM closes every client with 1001 and the process exits 0 within 2 s") {
    temp_dir dir;
    server_process p(server_args(dir.path() / "data"));
    const auto port = p.wait_listening();
    REQUIRE(port != 0);
    test_client ann(port, "/general");
    ann.read_welcome();
    REQUIRE(ann.identify("ann").success);
    test_client anonymous(port, "/random");
    anonymous.read_welcome();
    // One client that will not read (nor answer the close) until the process is gone.
    raw_ws_client stuck(port, "/general");
    REQUIRE(stuck.status() == 101);

    const auto sent = std::chrono::steady_clock::now();
    p.signal(SIGTERM);
    CHECK(ann.wait_closed(2s) == 1001);
    CHECK(anonymous.wait_closed(2s) == 1001);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(sent + 2s - std::chrono::steady_clock::now());
    const auto code = p.wait_exit(std::max(left, 0ms));
    REQUIRE_MESSAGE(code, "still running 2 s after SIGTERM; stderr:\n" << p.stderr_text());
    CHECK(*code == 0);
    CHECK(stuck.wait_closed(1s) == 1001);
}

TEST_CASE("a bad flag exits non-zero with one line on stderr") {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--port", "abc"}, {"--no-such-flag"}, {"--port", "70000"}, {"--heartbeat-ms", "-5"},
             {"--log-level", "loud"}, {"--port"}}) {
        CAPTURE(args.front());
        CAPTURE(args.back());
        const auto r = run_server(args);
        CHECK(r.code > 0);
        CHECK(r.code < 128);  // an exit, not a crash
        CAPTURE(r.err);
        CHECK(lines_of(r.err).size() == 1);
        CHECK(r.out.empty());
    }
}

TEST_CASE("an unusable data directory exits non-zero with a line naming it") {
    temp_dir dir;
    const auto file = dir.path() / "plain-file";
    std::ofstream(file) << "not a directory";
    const auto data = file / "data";
    auto args = server_args(data);
    const auto r = run_server(args);
    CHECK(r.code > 0);
    CHECK(r.code < 128);
    CAPTURE(r.err);
    bool named = false;
    for (const auto& line : lines_of(r.err))
        named = named || (line.find(data.string()) != std::string::npos && line.find("data") != std::string::npos);
    CHECK(named);
    CHECK(r.err.find("listening on") == std::string::npos);
}

TEST_CASE("--help exits 0 and mentions every flag") {
    const auto r = run_server({"--help"});
    CHECK(r.code == 0);
    const std::string text = r.out + r.err;
    for (const auto& flag : all_flags) {
        CAPTURE(flag);
        CHECK(text.find(flag) != std::string::npos);
    }
}
