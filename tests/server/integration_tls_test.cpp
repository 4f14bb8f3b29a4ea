// Integration: TLS (--tls-cert/--tls-key). https:// and wss:// on one port, HSTS, the https
// origin, no plain text on a TLS port, the handshake deadline, slow consumers and closing
// over TLS, and start-up failures on bad certificate files. The certificates are made with
// the openssl tool; every client trusts only the one it was given.
#include "support/server_process.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "support/tls_client.hpp"

#include <stdlib.h>

#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "app/server.hpp"

using namespace parley;
using namespace parley::test;

namespace {

/// The certificates of the whole file (an RSA key takes a while to make): the server's, and
/// another one whose key matches nothing the server is given with it.
struct certificates {
    temp_dir dir;
    tls_files server = make_self_signed(dir.path(), "server");
    tls_files other = make_self_signed(dir.path(), "other");
};

const certificates& certs() {
    static const certificates made;
    return made;
}

server::server_config tls_config(const std::filesystem::path& data) {
    auto config = test_config(data);
    config.tls_cert = certs().server.cert;
    config.tls_key = certs().server.key;
    return config;
}

struct fixture {
    temp_dir dir;
    test_server server;
    explicit fixture(void (*adjust)(server::server_config&) = nullptr) : server(make(dir, adjust)) {}
    static server::server_config make(const temp_dir& d, void (*adjust)(server::server_config&)) {
        auto config = tls_config(d.path() / "data");
        if (adjust) adjust(config);
        return config;
    }
    const std::filesystem::path& ca() const { return certs().server.cert; }
};

std::string get(std::string_view path) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
}

/// The answer's head, up to the blank line.
std::string head_of(const std::string& response) {
    return response.substr(0, response.find("\r\n\r\n"));
}

/// What constructing a server with `config` threw; empty if it started.
std::string start_error(server::server_config config) {
    try {
        server::server s(std::move(config));
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

/// What a TLS handshake with 127.0.0.1:`port` gave for a client that offers only `ciphers`
/// (OpenSSL names; TLS 1.2, or `max_version`, at most) or, with `tls13`, only TLS 1.3: empty on
/// success, else the
/// error. The client trusts any certificate: this is about what the server agrees to, and
/// security level 0 lets the client offer even suites its own defaults refuse.
std::string handshake_error(unsigned short port, const std::string& ciphers, bool tls13 = false,
                            int max_version = TLS1_2_VERSION) {
    namespace net = boost::asio;
    net::io_context ioc;
    net::ssl::context context(net::ssl::context::tls_client);
    SSL_CTX* handle = context.native_handle();
    if (tls13) {
        SSL_CTX_set_min_proto_version(handle, TLS1_3_VERSION);
    } else {
        SSL_CTX_set_min_proto_version(handle, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(handle, max_version);
        REQUIRE(SSL_CTX_set_cipher_list(handle, (ciphers + ":@SECLEVEL=0").c_str()) == 1);
    }
    context.set_verify_mode(net::ssl::verify_none);
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream(ioc, context);
    boost::beast::get_lowest_layer(stream).connect({net::ip::make_address("127.0.0.1"), port});
    boost::beast::get_lowest_layer(stream).expires_after(5s);
    boost::system::error_code ec;
    bool done = false;
    stream.async_handshake(net::ssl::stream_base::client, [&](const boost::system::error_code& e) {
        ec = e;
        done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done && std::chrono::steady_clock::now() < deadline) {
        ioc.restart();
        ioc.run_one_for(deadline - std::chrono::steady_clock::now());
    }
    if (!done) return "timeout";
    return ec ? ec.message() : std::string();
}

/// Waits (bounded) until the server counts no open WebSocket connection.
bool all_closed(test_server& server, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (server.metrics().connections_open.load() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

}  // namespace

TEST_CASE("over TLS, GET /healthz answers 200 ok with Strict-Transport-Security") {
    fixture f;
    const std::string response = https_exchange(f.server.port(), f.ca(), get("/healthz"));
    CHECK(http_status(response) == 200);
    CHECK(response.ends_with("\r\n\r\nok"));
    CHECK(head_of(response).find("\r\nStrict-Transport-Security: max-age=31536000") != std::string::npos);
}

TEST_CASE("over TLS, error answers and refused upgrades carry Strict-Transport-Security too") {
    fixture f;
    const std::string missing = https_exchange(f.server.port(), f.ca(), get("/no/such/file"));
    CHECK(http_status(missing) == 404);
    CHECK(head_of(missing).find("\r\nStrict-Transport-Security: max-age=31536000") != std::string::npos);

    const std::string bad_channel = https_exchange(
        f.server.port(), f.ca(),
        "GET /Not_A_Channel HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    CHECK(http_status(bad_channel) == 400);
    CHECK(head_of(bad_channel).find("\r\nStrict-Transport-Security: max-age=31536000") != std::string::npos);

    // /api answers come from the account code, not the router.
    const std::string api = https_exchange(f.server.port(), f.ca(), get("/api/no-such-endpoint"));
    CHECK(http_status(api) >= 400);
    CHECK(head_of(api).find("\r\nStrict-Transport-Security: max-age=31536000") != std::string::npos);
}

TEST_CASE("a plain server sends no Strict-Transport-Security") {
    temp_dir dir;
    test_server plain(test_config(dir.path()));
    const std::string response = raw_exchange(plain.port(), get("/healthz"));
    REQUIRE(http_status(response) == 200);
    CHECK(head_of(response).find("Strict-Transport-Security") == std::string::npos);
}

TEST_CASE("a wss client connects, identifies, posts and gets its echo; another wss client gets the message") {
    fixture f;
    tls_test_client ann(f.server.port(), f.ca(), "/fishing");
    const auto hello = ann.read_welcome();
    CHECK(hello.id == "fishing");
    tls_test_client bob(f.server.port(), f.ca(), "/fishing");
    bob.read_welcome();
    REQUIRE(ann.identify("ann").success);

    ann.send(post("morning is best", "k1"));
    auto echo = ann.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->nonce == "k1");
    CHECK(echo->user == "ann");
    CHECK(echo->text == "morning is best");
    auto seen = bob.next_of<chat_message>();
    REQUIRE(seen);
    CHECK(seen->id == echo->id);
    CHECK(seen->text == "morning is best");
}

TEST_CASE("over TLS the server's own origin is https: an https Origin upgrades, the http one gets 403") {
    fixture f;
    const std::string host = "127.0.0.1:" + std::to_string(f.server.port());
    tls_test_client same_site(f.server.port(), f.ca(), "/general", {{"Origin", "https://" + host}});
    same_site.read_welcome();

    const std::string refused = https_exchange(
        f.server.port(), f.ca(),
        "GET /general HTTP/1.1\r\nHost: " + host +
            "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\nOrigin: http://" +
            host + "\r\n\r\n");
    CHECK(http_status(refused) == 403);
}

TEST_CASE("a plain HTTP request to a TLS port gets no HTTP answer and the connection is closed") {
    fixture f;
    const std::string response = raw_exchange(f.server.port(), get("/healthz"));
    CHECK(http_status(response) != 200);
    CHECK_FALSE(response.starts_with("HTTP/"));
    CHECK(server_hangs_up(f.server.port(), get("/healthz"), 5s));
}

TEST_CASE("a client that connects to a TLS port and sends nothing is dropped by the handshake deadline") {
    // The deadline is --header-timeout-ms (10 s by default), 1 s here; 5 s bounds the wait.
    fixture f([](server::server_config& c) { c.header_timeout_ms = 1000; });
    const auto began = std::chrono::steady_clock::now();
    CHECK(server_hangs_up(f.server.port(), "", 5s));
    CHECK(std::chrono::steady_clock::now() - began >= 900ms);
    // The server still serves others afterwards.
    CHECK(http_status(https_exchange(f.server.port(), f.ca(), get("/healthz"))) == 200);
}

TEST_CASE("a wss client's close is answered with a close frame and close_notify, and its session ends") {
    fixture f;
    tls_test_client c(f.server.port(), f.ca(), "/general");
    c.read_welcome();
    REQUIRE(f.server.metrics().connections_open.load() == 1);
    // Beast's client completes its close only after the server's close frame and TLS shutdown.
    CHECK(c.close(1000));
    CHECK(all_closed(f.server));
}

TEST_CASE("stopping a TLS server closes wss clients with 1001") {
    fixture f;
    tls_test_client c(f.server.port(), f.ca(), "/general");
    c.read_welcome();
    REQUIRE(c.identify("ann").success);
    std::thread stopper([&] { f.server.stop(); });
    CHECK(c.wait_closed(5s) == 1001);
    stopper.join();
}

TEST_CASE(
    "a wss consumer that stops reading is closed with 1008 and counted; a reading one gets every message") {
    fixture f([](server::server_config& c) {
        c.send_queue_bytes = 64 * 1024;
        c.rate_limit = 0;
    });
    // A small receive buffer so the kernel holds little of what the server sends it.
    tls_test_client slow(f.server.port(), f.ca(), "/general", {}, 4096);
    slow.read_welcome();
    tls_test_client reader(f.server.port(), f.ca(), "/general");
    reader.read_welcome();
    tls_test_client poster(f.server.port(), f.ca(), "/general");
    poster.read_welcome();
    REQUIRE(poster.identify("poster").success);

    std::string big;
    for (int i = 0; i < 4000; ++i) big += "\xF0\x9F\x98\x80";  // 16,000 bytes of text per message
    const int sent =
        post_until(poster, reader, big, [&] { return f.server.metrics().slow_consumers_dropped.load() != 0; });
    REQUIRE(f.server.metrics().slow_consumers_dropped.load() == 1);
    // Reading again, the slow one gets what was in flight, then the 1008 close.
    CHECK(slow.wait_closed(5s) == 1008);

    poster.send(post("after the drop", "after"));
    auto echo = poster.next_of<chat_message>();
    REQUIRE(echo);
    auto seen = reader.next_of<chat_message>();
    REQUIRE(seen);
    CHECK(seen->id == echo->id);
    CHECK(f.server.metrics().slow_consumers_dropped.load() == 1);
    MESSAGE("messages posted before the drop: " << sent);
}

TEST_CASE("a missing or unreadable certificate or key stops the server at start-up, naming the file") {
    temp_dir dir;
    auto config = tls_config(dir.path() / "data");

    SUBCASE("missing certificate") {
        config.tls_cert = dir.path() / "absent.crt";
        const std::string error = start_error(config);
        CHECK(error.find("cannot read the TLS certificate file " + config.tls_cert.string()) !=
              std::string::npos);
        CHECK(error.find("No such file or directory") != std::string::npos);
        // TLS is checked first: a bad certificate leaves the data directory untouched.
        CHECK_FALSE(std::filesystem::exists(dir.path() / "data"));
    }
    SUBCASE("missing key") {
        config.tls_key = dir.path() / "absent.key";
        const std::string error = start_error(config);
        CHECK(error.find("cannot read the TLS key file " + config.tls_key.string()) != std::string::npos);
    }
    SUBCASE("a directory as the key") {
        config.tls_key = dir.path();
        CHECK(start_error(config).find("is a directory") != std::string::npos);
    }
    SUBCASE("an unreadable key") {
        const auto locked = dir.path() / "locked.key";
        std::filesystem::copy_file(certs().server.key, locked);
        std::filesystem::permissions(locked, std::filesystem::perms::none);
        config.tls_key = locked;
        // root reads any file; the case then shows only that such a key still works.
        if (std::ifstream(locked).good()) {
            CHECK(start_error(config).empty());
        } else {
            CHECK(start_error(config).find("cannot read the TLS key file") != std::string::npos);
        }
    }
}

TEST_CASE(
    "a certificate or key that is not PEM, or a key of another certificate, stops the server at start-up") {
    temp_dir dir;
    auto config = tls_config(dir.path() / "data");
    std::string expected;

    SUBCASE("certificate not PEM") {
        config.tls_cert = dir.path() / "garbage.crt";
        write_file(config.tls_cert, "this is not a certificate\n");
        expected = "the TLS certificate file " + config.tls_cert.string() + " holds no PEM certificate";
    }
    SUBCASE("the key given as the certificate") {
        config.tls_cert = certs().server.key;
        expected = "holds no PEM certificate";
    }
    SUBCASE("key not PEM") {
        config.tls_key = dir.path() / "garbage.key";
        write_file(config.tls_key,
                   "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n");
        expected = "the TLS key file " + config.tls_key.string() + " holds no unencrypted PEM private key";
    }
    SUBCASE("an encrypted key (no terminal prompt: it fails)") {
        config.tls_key = dir.path() / "encrypted.key";
        const std::string command = "openssl pkey -in '" + certs().server.key.string() +
                                    "' -aes256 -passout pass:secret -out '" + config.tls_key.string() +
                                    "' >/dev/null 2>&1";
        REQUIRE(std::system(command.c_str()) == 0);
        expected = "holds no unencrypted PEM private key";
    }
    SUBCASE("the key of another certificate") {
        config.tls_key = certs().other.key;
        expected = "the TLS key file " + config.tls_key.string() + " does not match the certificate in " +
                   config.tls_cert.string();
    }
    const std::string error = start_error(config);
    CAPTURE(error);
    CHECK(error.find(expected) != std::string::npos);
    CHECK(error.find('\n') == std::string::npos);
}

TEST_CASE("parley-server with a key that does not match its certificate exits 1 with one line saying so") {
    temp_dir dir;
    const auto result =
        run_server({"--bind", "127.0.0.1", "--port", "0", "--data", (dir.path() / "data").string(),
                    "--tls-cert", certs().server.cert.string(), "--tls-key", certs().other.key.string()});
    CHECK(result.code == 1);
    const auto lines = lines_of(result.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("does not match the certificate") != std::string::npos);
}

TEST_CASE("parley-server with --tls-cert but no --tls-key exits 2 saying both are needed") {
    temp_dir dir;
    const auto result = run_server({"--port", "0", "--data", (dir.path() / "data").string(), "--tls-cert",
                                    certs().server.cert.string()});
    CHECK(result.code == 2);
    CHECK(result.err.find("--tls-cert and --tls-key go together") != std::string::npos);
}

TEST_CASE("PARLEY_TLS_CERT and PARLEY_TLS_KEY set the TLS files; flags win over them") {
    ::setenv("PARLEY_TLS_CERT", "/env/cert.pem", 1);
    ::setenv("PARLEY_TLS_KEY", "/env/key.pem", 1);
    const char* plain[] = {"parley-server"};
    auto from_env = server::parse_command_line(1, plain);
    const char* flagged[] = {"parley-server", "--tls-cert", "/flag/cert.pem"};
    auto from_flag = server::parse_command_line(3, flagged);
    ::unsetenv("PARLEY_TLS_CERT");
    ::unsetenv("PARLEY_TLS_KEY");

    auto* env_config = std::get_if<server::server_config>(&from_env);
    REQUIRE(env_config);
    CHECK(env_config->tls_cert == "/env/cert.pem");
    CHECK(env_config->tls_key == "/env/key.pem");
    auto* flag_config = std::get_if<server::server_config>(&from_flag);
    REQUIRE(flag_config);
    CHECK(flag_config->tls_cert == "/flag/cert.pem");
    CHECK(flag_config->tls_key == "/env/key.pem");
}

// ------------------------------------------------------------------ cipher policy

TEST_CASE("TLS 1.2 with ECDHE and an AEAD cipher, and TLS 1.3, complete the handshake") {
    fixture f;
    for (const std::string suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                    "ECDHE-RSA-CHACHA20-POLY1305"}) {
        CAPTURE(suite);
        CHECK(handshake_error(f.server.port(), suite) == "");
    }
    CHECK(handshake_error(f.server.port(), "", true) == "");
}

TEST_CASE("a client offering only static RSA, CBC, SHA-1 or DHE suites, or TLS 1.1, fails the handshake") {
    fixture f;
    for (const std::string suite : {
             "AES128-GCM-SHA256",          // static RSA key exchange (no forward secrecy), AEAD
             "AES256-GCM-SHA384",          // the same
             "AES128-SHA",                 // static RSA, CBC, SHA-1 MAC
             "AES256-SHA256",              // static RSA, CBC
             "ECDHE-RSA-AES128-SHA",       // ECDHE but CBC with a SHA-1 MAC
             "ECDHE-RSA-AES256-SHA384",    // ECDHE but CBC
             "DHE-RSA-AES128-GCM-SHA256",  // finite-field DHE
         }) {
        CAPTURE(suite);
        const std::string error = handshake_error(f.server.port(), suite);
        CHECK(error != "");
        // Refused by the server ("handshake failure" alert), not by the client's own settings.
        CHECK(error.find("handshake failure") != std::string::npos);
    }
    // TLS 1.1 with a suite it has (ECDHE, CBC): refused for the version.
    const std::string old_version = handshake_error(f.server.port(), "ECDHE-RSA-AES128-SHA", false, TLS1_1_VERSION);
    CAPTURE(old_version);
    CHECK(old_version.find("protocol version") != std::string::npos);
    // The server still serves a modern client afterwards.
    CHECK(http_status(https_exchange(f.server.port(), f.ca(), get("/healthz"))) == 200);
}
