// Integration: the plain HTTP side and the checks of a WebSocket upgrade, over real
// loopback sockets (PROTOCOL.md Transport, Accounts, Operations, Details: Origin).
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
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace parley;
using namespace parley::test;

namespace {

/// A file outside the web root that no request may ever read.
constexpr std::string_view secret = "TOP-SECRET-8d1f";
constexpr std::string_view index_text = "<!doctype html><title>parley index</title>";

/// A server with a small web root (index.html, app.js) and a secret file next to it.
struct fixture {
    temp_dir dir;
    test_server server;
    explicit fixture(std::vector<std::string> allowed_origins = {}) : server(make(dir, std::move(allowed_origins))) {}

    static server::server_config make(const temp_dir& d, std::vector<std::string> allowed_origins) {
        write_file(d.path() / "web" / "index.html", index_text);
        write_file(d.path() / "web" / "app.js", "console.log('parley');\n");
        write_file(d.path() / "secret.txt", secret);
        write_file(d.path() / "web" / ".hidden.js", secret);
        auto config = test_config(d.path() / "data");
        config.web_root = d.path() / "web";
        config.allowed_origins = std::move(allowed_origins);
        return config;
    }

    /// The answer to `method target` with `headers` ("Name: value\r\n" lines) on a connection
    /// the server is asked to close after answering.
    std::string request(std::string_view target, std::string_view headers = "", std::string_view method = "GET") {
        const std::string text = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                                 std::to_string(server.port()) + "\r\nConnection: close\r\n" + std::string(headers) +
                                 "\r\n";
        return raw_exchange(server.port(), text);
    }

    std::string own_origin() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
};

std::string body_of(const std::string& response) {
    const auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : response.substr(end + 4);
}

/// The value of header `name` in a response head (exact-case name), empty when absent.
std::string header_of(const std::string& response, std::string_view name) {
    const std::string key = "\r\n" + std::string(name) + ": ";
    const auto at = response.find(key);
    if (at == std::string::npos) return {};
    const auto start = at + key.size();
    return response.substr(start, response.find("\r\n", start) - start);
}

}  // namespace

// ------------------------------------------------------------------ operations

TEST_CASE("GET /healthz answers 200 ok") {
    fixture f;
    const auto response = f.request("/healthz");
    CHECK(http_status(response) == 200);
    CHECK(body_of(response) == "ok");
}

TEST_CASE("GET /readyz answers 200 ready once the store has reached its database") {
    fixture f;
    // The storage thread's first probe runs as it starts; allow it a moment.
    std::string response;
    for (int i = 0; i < 100; ++i) {
        response = f.request("/readyz");
        if (http_status(response) == 200) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(http_status(response) == 200);
    CHECK(body_of(response) == "ready");
    CHECK(body_of(f.request("/metrics")).find("parley_store_ready 1") != std::string::npos);
}

TEST_CASE("HEAD /healthz answers 200 with the length of ok and no body") {
    fixture f;
    const auto response = f.request("/healthz", "", "HEAD");
    CHECK(http_status(response) == 200);
    CHECK(header_of(response, "Content-Length") == "2");
    CHECK(body_of(response).empty());
}

TEST_CASE("GET /metrics is Prometheus text with connections, messages, deliveries, drops and storage latency") {
    fixture f;
    test_client ann(f.server.port(), "/general");
    ann.read_welcome();
    REQUIRE(ann.identify("ann").success);
    ann.send(client_frame{post_message{std::nullopt, "counted"}, "m1"});
    REQUIRE(ann.next_of<chat_message>());

    const auto response = f.request("/metrics");
    REQUIRE(http_status(response) == 200);
    CHECK(header_of(response, "Content-Type").starts_with("text/plain"));
    const auto text = body_of(response);
    CHECK(text.find("# TYPE parley_connections_open gauge\n") != std::string::npos);
    CHECK(text.find("\nparley_connections_open 1\n") != std::string::npos);
    CHECK(text.find("\nparley_connections_total 1\n") != std::string::npos);
    CHECK(text.find("\nparley_messages_stored_total 1\n") != std::string::npos);
    CHECK(text.find("\nparley_deliveries_total ") != std::string::npos);
    CHECK(text.find("\nparley_slow_consumers_dropped_total 0\n") != std::string::npos);
    CHECK(text.find("\nparley_store_batch_seconds_bucket{le=\"+Inf\"} ") != std::string::npos);
    CHECK(text.find("\nparley_store_batch_seconds_count ") != std::string::npos);
}

TEST_CASE("deliveries count chat frames only; replies and control frames are counted apart by kind") {
    fixture f;
    auto& m = f.server.metrics();
    const auto queued = [&](server::frame_kind kind) {
        return m.frames_queued[static_cast<std::size_t>(kind)].load();
    };
    raw_ws_client ann(f.server.port(), "/general");
    REQUIRE(ann.status() == 101);
    REQUIRE(ann.next_of<history_page>());  // connection, joined, history: replies
    CHECK(queued(server::frame_kind::control) == 1);  // the 101 answer (no heartbeat is due yet)
    CHECK(queued(server::frame_kind::reply) == 3);
    CHECK(m.deliveries.load() == 0);

    ann.send_frame(0x9, "are you there");  // a ping: its pong is a control frame
    const auto pong = ann.next_frame();
    REQUIRE(pong);
    CHECK(pong->opcode == 0xA);
    CHECK(queued(server::frame_kind::control) == 2);
    ann.send_text("{not json");  // an error answer is a reply
    REQUIRE(ann.next_of<error_notice>());
    ann.send(client_frame{identity_request{"ann"}, std::nullopt});
    REQUIRE(ann.next_of<identity_result>());
    CHECK(queued(server::frame_kind::reply) == 5);
    const auto before = m.deliveries.load();  // her own presence, if the hub sends her one

    ann.send(client_frame{post_message{std::nullopt, "counted once"}, "m1"});
    REQUIRE(ann.next_of<chat_message>());
    CHECK(m.deliveries.load() == before + 1);
    CHECK(queued(server::frame_kind::chat) == m.deliveries.load());

    const auto text = body_of(f.request("/metrics"));
    CHECK(text.find("\nparley_deliveries_total " + std::to_string(m.deliveries.load()) + "\n") != std::string::npos);
    CHECK(text.find("\nparley_frames_queued_total{kind=\"control\"} 2\n") != std::string::npos);
    CHECK(text.find("\nparley_frames_queued_total{kind=\"reply\"} 5\n") != std::string::npos);
}

TEST_CASE("/api is routed to the API alone: GET /api and /api/ get its JSON 404, /apix is a page") {
    fixture f;
    for (const char* target : {"/api", "/api/", "/api/nothing"}) {
        CAPTURE(target);
        const auto response = f.request(target);
        CHECK(http_status(response) == 404);
        CHECK(header_of(response, "Content-Type") == "application/json");
        CHECK(body_of(response) == R"({"error":"not found"})");
    }
    const auto page = f.request("/apix");
    CHECK(http_status(page) == 200);
    CHECK(body_of(page) == index_text);
}

TEST_CASE("/metrics counts connections back down to 0 once the clients are gone") {
    fixture f;
    {
        test_client a(f.server.port(), "/general");
        raw_ws_client b(f.server.port(), "/random");
        a.read_welcome();
        b.read_welcome();
        CHECK(f.server.metrics().connections_open.load() == 2);
    }
    // A closed session must not be kept alive (by a timer, a queue, a registry).
    for (int i = 0; i < 200 && f.server.metrics().connections_open.load() != 0; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(f.server.metrics().connections_open.load() == 0);
    const auto text = body_of(f.request("/metrics"));
    CHECK(text.find("\nparley_connections_open 0\n") != std::string::npos);
    CHECK(text.find("\nparley_connections_total 2\n") != std::string::npos);
    CHECK(text.find("\nparley_channels_active 0\n") != std::string::npos);
}

TEST_CASE("the web root's files are served and an unknown file is 404") {
    fixture f;
    auto response = f.request("/");
    CHECK(http_status(response) == 200);
    CHECK(body_of(response) == index_text);
    response = f.request("/app.js");
    CHECK(http_status(response) == 200);
    CHECK(body_of(response).find("parley") != std::string::npos);
    // A channel path is a deep link to the page.
    response = f.request("/fishing");
    CHECK(http_status(response) == 200);
    CHECK(body_of(response) == index_text);
    for (const char* unknown : {"/nope.js", "/app.css", "/web/app.js", "/.hidden.js", "/index.html.bak"}) {
        CAPTURE(unknown);
        response = f.request(unknown);
        CHECK(http_status(response) == 404);
        CHECK(response.find(secret) == std::string::npos);
    }
}

TEST_CASE("path traversal never returns a file outside the web root") {
    fixture f;
    for (const char* target : {
             "/../secret.txt",
             "/../../etc/passwd",
             "/%2e%2e/secret.txt",
             "/%2e%2e/%2e%2e/etc/passwd",
             "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
             "/.%2e/secret.txt",
             "/..%2fsecret.txt",
             "/%2e%2e%2fsecret.txt",
             "/..%5csecret.txt",
             "/..\\secret.txt",
             "/%252e%252e/secret.txt",
             "/app.js/../../secret.txt",
             "/./../secret.txt",
             "//etc/passwd",
             "/etc/passwd",
             "/%00../secret.txt",
             "/..;/secret.txt",
             "http://127.0.0.1/../secret.txt",
         }) {
        CAPTURE(target);
        const auto response = f.request(target);
        const int status = http_status(response);
        CHECK((status == 400 || status == 404));
        CHECK(response.find(secret) == std::string::npos);
        CHECK(response.find("root:") == std::string::npos);
    }
}

TEST_CASE("a request header over 8 KiB gets 431, never a 200") {
    fixture f;
    const std::string big = "X-Padding: " + std::string(9 * 1024, 'a') + "\r\n";
    const auto response = f.request("/healthz", big);
    const int status = http_status(response);
    CHECK(status != 200);
    CHECK((status == 431 || status == 0));
    // The same header in an upgrade request.
    raw_ws_client c(f.server.port(), "/general", {{"X-Padding", std::string(9 * 1024, 'a')}});
    CHECK(c.status() != 101);
    CHECK((c.status() == 431 || c.status() == 0));
    // Just under the limit is fine.
    const auto fits = f.request("/healthz", "X-Padding: " + std::string(6 * 1024, 'a') + "\r\n");
    CHECK(http_status(fits) == 200);
}

// ------------------------------------------------------------------ upgrade checks

TEST_CASE("an upgrade to a path that is not a channel gets 400 before the upgrade") {
    fixture f;
    for (const std::string& target : std::vector<std::string>{
             "/Bad", "/api", "/healthz", "/metrics", "/a/b", "/bad.name", "/-dash", "/_under",
             "/" + std::string(33, 'a'), "/app.js", "/%2e%2e"}) {
        CAPTURE(target);
        raw_ws_client c(f.server.port(), target);
        CHECK(c.status() == 400);
        CHECK(c.response().find("101 Switching") == std::string::npos);
    }
    // The positive controls: "/" joins general, a 32-character name is a channel.
    raw_ws_client root(f.server.port(), "/");
    REQUIRE(root.status() == 101);
    CHECK(root.read_welcome().id == "general");
    raw_ws_client longest(f.server.port(), "/" + std::string(32, 'a'));
    REQUIRE(longest.status() == 101);
    CHECK(longest.read_welcome().id == std::string(32, 'a'));
}

TEST_CASE("an upgrade with a token no account holds gets 401") {
    fixture f;
    for (const char* target : {"/general?token=x", "/?token=", "/general?since=0&token=abc"}) {
        CAPTURE(target);
        raw_ws_client c(f.server.port(), target);
        CHECK(c.status() == 401);
    }
}

TEST_CASE("an upgrade with since that is not a message id gets 400; since=0 is accepted") {
    fixture f;
    for (const char* target : {"/general?since=abc", "/general?since=-1", "/general?since=1.5", "/general?since=",
                               "/general?since=9007199254740992"}) {
        CAPTURE(target);
        raw_ws_client c(f.server.port(), target);
        CHECK(c.status() == 400);
    }
    raw_ws_client c(f.server.port(), "/general?since=0");
    REQUIRE(c.status() == 101);
    c.read_welcome();
}

TEST_CASE("an upgrade with Sec-WebSocket-Version 8 gets 426 naming version 13") {
    fixture f;
    raw_ws_client c(f.server.port(), "/general", {{"Sec-WebSocket-Version", "8"}});
    CHECK(c.status() == 426);
    CHECK(header_of(c.response(), "Sec-WebSocket-Version") == "13");
}

TEST_CASE("an upgrade from a foreign Origin gets 403; the own origin, no Origin and an allowed one connect") {
    fixture f({"https://chat.example"});
    const std::string port = std::to_string(f.server.port());
    for (const std::string& origin : std::vector<std::string>{"http://evil.example", "null", "https://127.0.0.1:" + port,
                                                              "http://127.0.0.1:1", "http://127.0.0.1",
                                                              "https://chat.example.evil.example"}) {
        CAPTURE(origin);
        raw_ws_client c(f.server.port(), "/general", {{"Origin", origin}});
        CHECK(c.status() == 403);
    }
    {
        raw_ws_client own(f.server.port(), "/general", {{"Origin", f.own_origin()}});
        CHECK(own.status() == 101);
    }
    {
        raw_ws_client none(f.server.port(), "/general");
        CHECK(none.status() == 101);
    }
    {
        raw_ws_client allowed(f.server.port(), "/general", {{"Origin", "https://chat.example"}});
        CHECK(allowed.status() == 101);
    }
    {
        // The own origin is the scheme plus the request's Host, whatever name was used.
        raw_ws_client by_name(f.server.port(), "/general",
                              {{"Host", "localhost:" + port}, {"Origin", "http://localhost:" + port}});
        CHECK(by_name.status() == 101);
    }
    // Beast's client, as a browser would, with the own origin.
    test_client browser(f.server.port(), "/general", {{"Origin", f.own_origin()}});
    CHECK(browser.read_welcome().id == "general");
}

TEST_CASE("a slow-loris client trickling its request header is cut off at the header deadline") {
    fixture f;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(f.server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    const std::string start = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    REQUIRE(::send(fd, start.data(), start.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(start.size()));
    // One header line a second, never the blank line that ends the header: the server must
    // not wait for it beyond its deadline (10 s for a request's header).
    const auto began = std::chrono::steady_clock::now();
    bool closed = false;
    for (int i = 0; i < 14 && !closed; ++i) {
        std::this_thread::sleep_for(1s);
        const std::string line = "X-Trickle-" + std::to_string(i) + ": x\r\n";
        if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) < 0) closed = true;
        char byte;
        const ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
    }
    const auto held = std::chrono::steady_clock::now() - began;
    ::close(fd);
    CHECK(closed);
    CHECK(held < 13s);
}
