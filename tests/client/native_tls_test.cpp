// The native transport over wss://: TLS with SNI, certificates checked against a CA file,
// and refused when nothing vouches for them. A small Beast TLS WebSocket echo server on
// loopback plays the server (parley-server has no TLS listener to test against yet).
#include "model/transport.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

using namespace parley::client;

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

// A self-signed test certificate for "localhost" (P-256, valid for a century). Test-only:
// the key protects nothing.
constexpr const char* test_certificate = R"(-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUSXvr6rWBu7m+MnrjiULIVpOKBQQwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTA2NDQxMloYDzIxMjYxMTA3
MDY0NDEyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARny8K0arASL0pFzwFp+Mc+5UvaD+AF5afvpumPsarsU8JMGuq0GtdO
ZSa+pvQaG0HrT78KiW3NIan7z7alWKeto2kwZzAdBgNVHQ4EFgQUlkD7yiz9Zad+
yoRhkcGvlyYe7rUwHwYDVR0jBBgwFoAUlkD7yiz9Zad+yoRhkcGvlyYe7rUwDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
SAAwRQIhAIHFMla3lunRFJFGmLz+JHxhBuDL6Fx1nEcw3lUsr2TjAiAl6d8aQJUA
686mi/u5+fG3di6S7QMRV5yzgzvlwFvjMg==
-----END CERTIFICATE-----)";
constexpr const char* test_key = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgxwpYfqnA78QqJ/VL
twH3lGQ/iNCva1Lwk/yGEiZVQiyhRANCAARny8K0arASL0pFzwFp+Mc+5UvaD+AF
5afvpumPsarsU8JMGuq0GtdOZSa+pvQaG0HrT78KiW3NIan7z7alWKet
-----END PRIVATE KEY-----)";

/// Accepts one wss:// connection, records the SNI name, sends a greeting, echoes one frame.
class tls_echo_server {
public:
    tls_echo_server() : tls_(ssl::context::tls_server), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
        tls_.use_certificate_chain(net::buffer(std::string(test_certificate)));
        tls_.use_private_key(net::buffer(std::string(test_key)), ssl::context::pem);
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { serve(); });
    }
    ~tls_echo_server() {
        // A blocked accept() does not return on close(): a connection of our own ends it
        // when the test never connected (it failed early).
        beast::error_code ignored;
        net::ip::tcp::socket poke(ioc_);
        poke.connect({net::ip::make_address("127.0.0.1"), port_}, ignored);
        poke.close(ignored);
        thread_.join();
    }
    unsigned short port() const { return port_; }
    /// The server name the client sent (SNI), once a handshake has completed.
    std::string sni() const {
        std::lock_guard lock(mutex_);
        return sni_;
    }

private:
    void serve() {
        beast::error_code ec;
        net::ip::tcp::socket socket(ioc_);
        acceptor_.accept(socket, ec);
        if (ec) return;
        websocket::stream<beast::ssl_stream<net::ip::tcp::socket>> ws(std::move(socket), tls_);
        ws.next_layer().handshake(ssl::stream_base::server, ec);
        if (ec) return;  // the client refused the certificate
        if (const char* name = SSL_get_servername(ws.next_layer().native_handle(), TLSEXT_NAMETYPE_host_name)) {
            std::lock_guard lock(mutex_);
            sni_ = name;
        }
        ws.accept(ec);
        if (ec) return;
        ws.text(true);
        ws.write(net::buffer(std::string("hello")), ec);
        beast::flat_buffer buffer;
        ws.read(buffer, ec);
        if (ec) return;
        ws.write(net::buffer("echo " + beast::buffers_to_string(buffer.data())), ec);
        ws.read(buffer, ec);  // until the client closes
    }

    net::io_context ioc_;
    ssl::context tls_;
    net::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    mutable std::mutex mutex_;
    std::string sni_;
    std::thread thread_;
};

/// The CA file the client is told to trust: the test certificate itself.
struct ca_file {
    ca_file() : path(std::filesystem::temp_directory_path() / ("parley-test-ca-" + std::to_string(::getpid()) + ".pem")) {
        std::ofstream(path) << test_certificate;
    }
    ~ca_file() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
    std::filesystem::path path;
};

/// Polls until an event of `kind` arrives (returned) or the link closes or 10 s pass.
std::optional<transport_event> wait_for(transport& link, transport_event::kind kind) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        for (transport_event& event : link.poll()) {
            if (event.type == kind) return event;
            if (event.type == transport_event::kind::closed) return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("native transport speaks wss:// with SNI, trusting the certificate through a CA file") {
    tls_echo_server server;
    ca_file ca;
    transport_options options;
    options.ca_file = ca.path.string();
    auto link = make_transport(options);
    std::atomic<int> wakes{0};
    link->set_wake_callback([&wakes] { ++wakes; });
    link->connect("wss://localhost:" + std::to_string(server.port()) + "/general");
    REQUIRE(wait_for(*link, transport_event::kind::opened));
    auto greeting = wait_for(*link, transport_event::kind::text);
    REQUIRE(greeting);
    CHECK(greeting->text == "hello");
    CHECK(link->send("ping") == send_status::queued);
    auto echo = wait_for(*link, transport_event::kind::text);
    REQUIRE(echo);
    CHECK(echo->text == "echo ping");
    CHECK(server.sni() == "localhost");
    CHECK(wakes.load() >= 3);  // the idle loop is woken for every event
    link->close();
    CHECK(link->send("late") == send_status::not_open);
}

TEST_CASE("native transport refuses a certificate that nothing it trusts vouches for") {
    tls_echo_server server;
    auto link = make_transport();  // the system store does not know the test certificate
    link->connect("wss://localhost:" + std::to_string(server.port()) + "/");
    std::optional<transport_event> failure;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!failure && std::chrono::steady_clock::now() < deadline) {
        for (transport_event& event : link->poll()) {
            CHECK(event.type != transport_event::kind::opened);
            if (event.type == transport_event::kind::error) failure = event;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(failure);
    CHECK(failure->text.find("certificate") != std::string::npos);
    CHECK(link->send("x") == send_status::not_open);
}
