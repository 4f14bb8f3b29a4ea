// Integration: the HTTP framing, keep-alive deadline, symlink, upgrade-header and
// per-address limits of issue 11, over real loopback sockets with raw requests (no HTTP
// library in between to tidy them up).
#include "support/raw_ws_client.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace parley;
using namespace parley::test;

namespace {

constexpr std::string_view secret = "TOP-SECRET-5c2e";
constexpr std::string_view client_key = "dGhlIHNhbXBsZSBub25jZQ==";

/// A server with a small web root holding a link out of it (leak.txt -> ../secret.txt) and a
/// link inside it (alias.js -> app.js); `adjust` changes the configuration.
struct fixture {
    temp_dir dir;
    test_server server;
    explicit fixture(void (*adjust)(server::server_config&) = nullptr) : server(make(dir, adjust)) {}

    static server::server_config make(const temp_dir& d, void (*adjust)(server::server_config&)) {
        const auto web = d.path() / "web";
        write_file(web / "index.html", "<!doctype html><title>parley</title>");
        write_file(web / "app.js", "console.log('parley');\n");
        write_file(d.path() / "secret.txt", secret);
        std::filesystem::create_symlink(d.path() / "secret.txt", web / "leak.txt");
        std::filesystem::create_symlink("../secret.txt", web / "relative-leak.txt");
        std::filesystem::create_symlink("app.js", web / "alias.js");
        auto config = test_config(d.path() / "data");
        config.web_root = web;
        if (adjust) adjust(config);
        return config;
    }

    std::string host() const { return "127.0.0.1:" + std::to_string(server.port()); }

    /// The answer to raw `request` bytes; the server is expected to end the connection.
    std::string exchange(std::string_view request) { return raw_exchange(server.port(), request); }

    /// An upgrade request for `target`: HTTP/1.1, the handshake headers of RFC 6455 4.1 (Host
    /// unless `host` is false), then `extra` ("Name: value\r\n" lines).
    std::string upgrade_text(std::string_view extra = "", std::string_view target = "/general",
                             std::string_view version = "HTTP/1.1", bool host_line = true) const {
        std::string text = "GET " + std::string(target) + " " + std::string(version) + "\r\n";
        if (host_line) text += "Host: " + host() + "\r\n";
        text += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + std::string(client_key) +
                "\r\nSec-WebSocket-Version: 13\r\n" + std::string(extra) + "\r\n";
        return text;
    }
};

/// How many HTTP answers (status lines) `response` holds.
int answers_in(const std::string& response) {
    int n = 0;
    for (std::size_t at = response.find("HTTP/1.1 "); at != std::string::npos;
         at = response.find("HTTP/1.1 ", at + 1))
        ++n;
    return n;
}

std::string header_of(const std::string& response, std::string_view name) {
    const std::string key = "\r\n" + std::string(name) + ": ";
    const auto at = response.find(key);
    if (at == std::string::npos) return {};
    const auto start = at + key.size();
    return response.substr(start, response.find("\r\n", start) - start);
}

/// A blocking loopback socket with bounded reads, for requests that keep the connection.
class plain_socket {
public:
    explicit plain_socket(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        REQUIRE(fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~plain_socket() { ::close(fd_); }
    plain_socket(const plain_socket&) = delete;
    plain_socket& operator=(const plain_socket&) = delete;

    /// False once the peer is gone.
    bool send(std::string_view bytes) { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) >= 0; }

    /// Reads until `response` holds a whole answer with a Content-Length body, or `timeout`.
    std::string read_answer(std::chrono::milliseconds timeout = 3s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string in;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto end = in.find("\r\n\r\n");
            if (end != std::string::npos) {
                const std::string length = header_of(in.substr(0, end + 2), "Content-Length");
                if (!length.empty() && in.size() >= end + 4 + std::stoul(length)) return in;
            }
            if (!wait_readable(deadline)) break;
            char chunk[4096];
            const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) break;
            in.append(chunk, static_cast<std::size_t>(n));
        }
        return in;
    }

    /// Whether the server has ended the connection (EOF or reset), without waiting.
    bool closed_by_peer() {
        char byte;
        const ssize_t n = ::recv(fd_, &byte, 1, MSG_DONTWAIT);
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    }

private:
    bool wait_readable(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        timeval tv{static_cast<time_t>(left.count() / 1000000),
                   static_cast<suseconds_t>(left.count() % 1000000)};
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd_, &set);
        return ::select(fd_ + 1, &set, nullptr, nullptr, &tv) > 0;
    }

    int fd_;
};

std::string keep_alive_get(std::string_view path) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

}  // namespace

// ------------------------------------------------------------------ request framing (RFC 9112)

TEST_CASE("a Transfer-Encoding whose last coding is not chunked gets 400 and the connection is closed") {
    fixture f;
    // Beast alone reads this request as bodiless, and would then answer the smuggled
    // "GET /healthz" that follows as a second request.
    const auto response = f.exchange(
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(http_status(response) == 400);
    CHECK(answers_in(response) == 1);
    CHECK(response.find("\r\n\r\nok") == std::string::npos);
    CHECK(header_of(response, "Connection") == "close");

    // "chunked, chunked" Beast also reads as bodiless.
    const auto twice = f.exchange(
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(http_status(twice) == 400);
    CHECK(answers_in(twice) == 1);
}

TEST_CASE("Transfer-Encoding together with Content-Length gets 400 and close, in either order") {
    fixture f;
    for (const char* lines : {"Transfer-Encoding: gzip\r\nContent-Length: 5\r\n",
                              "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                              "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"}) {
        CAPTURE(lines);
        const auto response =
            f.exchange("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(lines) + "\r\nhello" +
                       "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        CHECK(http_status(response) == 400);
        CHECK(answers_in(response) == 1);
    }
}

TEST_CASE("a sound chunked request body is still read (the checks refuse only bad framing)") {
    fixture f;
    const auto response = f.exchange(
        "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        "5\r\nhello\r\n0\r\n\r\n");
    CHECK(http_status(response) == 405);  // reached the router: /healthz takes GET and HEAD only
}

TEST_CASE("HTTP/1.1 without Host, or with two, gets 400 and close; HTTP/1.0 without Host is served") {
    fixture f;
    auto response = f.exchange("GET /healthz HTTP/1.1\r\n\r\n");
    CHECK(http_status(response) == 400);
    CHECK(header_of(response, "Connection") == "close");
    response = f.exchange("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    CHECK(http_status(response) == 400);
    response = f.exchange("GET /healthz HTTP/1.0\r\n\r\n");
    CHECK(response.starts_with("HTTP/1.0 200") == true);
}

// ------------------------------------------------------------------ keep-alive deadline

TEST_CASE(
    "a second request on a kept-alive connection that trickles its header is cut at the header deadline") {
    fixture f([](server::server_config& c) { c.header_timeout_ms = 1000; });
    plain_socket s(f.server.port());
    REQUIRE(s.send(keep_alive_get("/healthz")));
    REQUIRE(http_status(s.read_answer()) == 200);

    // The second request starts at once, then sends a header line every 200 ms and never
    // the blank line: the 1 s header deadline must end it, not the 30 s keep-alive idle.
    REQUIRE(s.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    const auto began = std::chrono::steady_clock::now();
    bool closed = false;
    for (int i = 0; i < 25 && !closed; ++i) {  // 5 s at most
        std::this_thread::sleep_for(200ms);
        if (!s.send("X-Trickle-" + std::to_string(i) + ": x\r\n")) closed = true;
        if (s.closed_by_peer()) closed = true;
    }
    const auto held = std::chrono::steady_clock::now() - began;
    CHECK(closed);
    CHECK(held >= 800ms);
    CHECK(held < 3s);
}

TEST_CASE("a kept-alive connection may sit idle longer than the header deadline before its next request") {
    fixture f([](server::server_config& c) { c.header_timeout_ms = 500; });
    plain_socket s(f.server.port());
    REQUIRE(s.send(keep_alive_get("/healthz")));
    REQUIRE(http_status(s.read_answer()) == 200);
    std::this_thread::sleep_for(1200ms);  // idle: the keep-alive timeout (30 s) applies
    REQUIRE(s.send(keep_alive_get("/app.js")));
    CHECK(http_status(s.read_answer()) == 200);
    // Pipelined: two requests in one write, both answered.
    REQUIRE(s.send(keep_alive_get("/healthz") + keep_alive_get("/healthz")));
    const auto both = s.read_answer();
    CHECK(http_status(both) == 200);
}

// ------------------------------------------------------------------ static files

TEST_CASE("a symlink in the web root that leads out of it is not served; one inside it is") {
    fixture f;
    for (const char* target : {"/leak.txt", "/relative-leak.txt"}) {
        CAPTURE(target);
        const auto response = f.exchange("GET " + std::string(target) +
                                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        CHECK(http_status(response) == 404);
        CHECK(response.find(secret) == std::string::npos);
    }
    const auto alias = f.exchange("GET /alias.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    CHECK(http_status(alias) == 200);
    CHECK(alias.find("console.log('parley');") != std::string::npos);
}

// ------------------------------------------------------------------ upgrade headers (RFC 6455 4.2.1)

TEST_CASE("an upgrade with a repeated handshake header gets 400, never 101") {
    fixture f;
    for (const char* extra : {
             "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n",
             "Sec-WebSocket-Version: 12\r\n",
             "Sec-WebSocket-Version: 13\r\n",
             "Host: evil.example\r\n",
             "Origin: http://evil.example\r\nOrigin: http://evil.example\r\n",
             "Upgrade: websocket\r\n",
             "Connection: keep-alive\r\n",
         }) {
        CAPTURE(extra);
        const auto response = f.exchange(f.upgrade_text(extra));
        CHECK(http_status(response) == 400);
        CHECK(response.find("101 Switching") == std::string::npos);
    }
    // Sec-WebSocket-Protocol may be repeated (RFC 6455 11.3.4): still upgraded.
    raw_ws_client ok(f.server.port(), "/general",
                     {{"Sec-WebSocket-Protocol", "chat\r\nSec-WebSocket-Protocol: superchat"}});
    CHECK(ok.status() == 101);
}

TEST_CASE("an upgrade over HTTP/1.0, or without Host, gets 400") {
    fixture f;
    auto response = f.exchange(f.upgrade_text("", "/general", "HTTP/1.0"));
    CHECK(http_status(response) == 400);
    CHECK(response.find("101 Switching") == std::string::npos);
    response = f.exchange(f.upgrade_text("", "/general", "HTTP/1.0", false));
    CHECK(http_status(response) == 400);
    response = f.exchange(f.upgrade_text("", "/general", "HTTP/1.1", false));
    CHECK(http_status(response) == 400);
    response = f.exchange(f.upgrade_text("Host: \r\n", "/general", "HTTP/1.1", false));  // empty Host
    CHECK(http_status(response) == 400);
    // The control: the same request with Host over HTTP/1.1 upgrades.
    raw_ws_client c(f.server.port(), "/general");
    CHECK(c.status() == 101);
}

TEST_CASE("an upgrade whose since is not canonical gets 400; a canonical one is accepted") {
    fixture f;
    for (const char* target :
         {"/general?since=-0", "/general?since=007", "/general?since=00", "/general?since=+5",
          "/general?since=1&since=2", "/general?since=%2d1", "/general?since=5%"}) {
        CAPTURE(target);
        const auto response = f.exchange(f.upgrade_text("", target));
        CHECK(http_status(response) == 400);
    }
    // Parameters are matched whole: "nosince" is not since.
    raw_ws_client other(f.server.port(), "/general?nosince=007");
    CHECK(other.status() == 101);
    raw_ws_client canonical(f.server.port(), "/general?since=10");
    CHECK(canonical.status() == 101);
}

// ------------------------------------------------------------------ per-address connection limit

TEST_CASE(
    "with --max-connections-per-address 3 the 4th upgrade gets 429 with Retry-After; a freed slot is "
    "reused") {
    fixture f([](server::server_config& c) { c.max_connections_per_address = 3; });
    std::vector<std::unique_ptr<raw_ws_client>> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(std::make_unique<raw_ws_client>(f.server.port(), "/general"));
        REQUIRE(open.back()->status() == 101);
        open.back()->read_welcome();
    }
    raw_ws_client fourth(f.server.port(), "/general");
    CHECK(fourth.status() == 429);
    CHECK(header_of(fourth.response(), "Retry-After") == "10");
    CHECK(fourth.response().find("101 Switching") == std::string::npos);
    // Plain HTTP is not counted.
    CHECK(http_status(f.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200);

    open.pop_back();  // one closes; its slot comes back once its session is gone
    int status = 0;
    std::unique_ptr<raw_ws_client> again;
    for (int i = 0; i < 100 && status != 101; ++i) {  // 2 s at most
        std::this_thread::sleep_for(20ms);
        again = std::make_unique<raw_ws_client>(f.server.port(), "/general");
        status = again->status();
    }
    CHECK(status == 101);
    // And the limit holds again.
    raw_ws_client fifth(f.server.port(), "/general");
    CHECK(fifth.status() == 429);
}

TEST_CASE("an upgrade refused after the limit check gives its slot back") {
    fixture f([](server::server_config& c) { c.max_connections_per_address = 1; });
    for (int i = 0; i < 3; ++i) {
        raw_ws_client bad_token(f.server.port(), "/general?token=nope");
        CHECK(bad_token.status() == 401);
    }
    raw_ws_client ok(f.server.port(), "/general");
    CHECK(ok.status() == 101);
}
