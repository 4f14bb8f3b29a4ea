#pragma once
// Clients for the TLS tests: a self-signed certificate made with the openssl tool, an HTTPS
// exchange, and a wss:// WebSocket client (Beast over ssl_stream) that trusts only the
// certificate it is given. Every wait is bounded.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/core/codec.hpp"
#include "protocol_client.hpp"

namespace parley::test {

using namespace std::chrono_literals;

/// A certificate and its unencrypted key, as PEM files.
struct tls_files {
    std::filesystem::path cert;
    std::filesystem::path key;
};

/// A fresh self-signed RSA certificate for 127.0.0.1 (CN and subjectAltName), valid one day,
/// written by the openssl command-line tool to `dir`/`stem`.crt and .key. Throws if openssl fails.
tls_files make_self_signed(const std::filesystem::path& dir, const std::string& stem = "server");

/// Sends `request` over TLS to 127.0.0.1:`port`, trusting only the certificate in `ca` (and
/// checking it names 127.0.0.1), and returns what the server sent until it ended the
/// connection or `timeout` passed. Throws if the TLS handshake fails.
std::string https_exchange(unsigned short port, const std::filesystem::path& ca, std::string_view request,
                           std::chrono::milliseconds timeout = 3s);

/// Connects to 127.0.0.1:`port` over plain TCP, sends `bytes` (possibly none), then reads and
/// drops whatever comes until the server ends the connection. True if it did before `timeout`.
bool server_hangs_up(unsigned short port, std::string_view bytes, std::chrono::milliseconds timeout);

/// A wss:// client connection. Not thread-safe: use from the test's thread.
class tls_test_client final : public protocol_client {
public:
    using protocol_client::send;
    /// Connects to wss://127.0.0.1:`port``target`, trusting only `ca`; `headers` are extra
    /// upgrade request headers; a non-zero `receive_buffer_bytes` sets SO_RCVBUF before
    /// connecting (a slow consumer). Throws if the TLS or WebSocket handshake fails.
    tls_test_client(unsigned short port, const std::filesystem::path& ca, std::string target = "/",
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    int receive_buffer_bytes = 0);
    ~tls_test_client();
    tls_test_client(const tls_test_client&) = delete;
    tls_test_client& operator=(const tls_test_client&) = delete;

    void send(std::string_view text) override;

    /// The next text frame (heartbeats answered and skipped); nullopt on timeout or close.
    /// Frames are read only while a next... or wait_closed call waits: between calls the
    /// client reads nothing, which is how a test makes it a slow consumer.
    std::optional<std::string> next_text(std::chrono::milliseconds timeout = 3s) override;

    /// Starts the closing handshake with `code` and waits until it completed (the server's
    /// close frame arrived and TLS and TCP were shut down). True if it did before `timeout`.
    bool close(std::uint16_t code, std::chrono::milliseconds timeout = 3s);
    /// Reads (and drops) frames until the server closes; its close code (1006 when the
    /// connection ended without a close frame), nullopt on timeout.
    std::optional<std::uint16_t> wait_closed(std::chrono::milliseconds timeout = 3s);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace parley::test
