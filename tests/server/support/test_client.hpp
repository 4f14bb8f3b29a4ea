#pragma once
// A WebSocket client for integration tests, built on Beast's client stream (an
// implementation independent of the server's own framing). Every wait is bounded.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parley/core/codec.hpp"

namespace parley::test {

using namespace std::chrono_literals;

/// One client connection. Not thread-safe: use from the test's thread.
class test_client {
public:
    /// Connects to ws://127.0.0.1:`port``target`; throws on failure (the test fails).
    /// `headers` are extra request headers ("Origin: http://evil.example").
    test_client(unsigned short port, std::string target = "/",
                std::vector<std::pair<std::string, std::string>> headers = {});
    ~test_client();
    test_client(const test_client&) = delete;
    test_client& operator=(const test_client&) = delete;

    /// Sends a text frame.
    void send(std::string_view text);
    /// Sends a client frame encoded by core.
    void send(const client_frame& frame) { send(encode(frame)); }
    /// Sends a binary frame.
    void send_binary(std::string_view bytes);

    /// The next frame's text, or nullopt on timeout or close. Heartbeats are answered and
    /// skipped unless `keep_heartbeats`.
    std::optional<std::string> next_text(std::chrono::milliseconds timeout = 3s);
    /// The next frame decoded as a server message (heartbeats skipped); nullopt on timeout/close.
    std::optional<server_message> next(std::chrono::milliseconds timeout = 3s);
    /// Skips frames until one of type `T` arrives; nullopt on timeout or close.
    template <class T>
    std::optional<T> next_of(std::chrono::milliseconds timeout = 3s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            auto m = next(left);
            if (!m) return std::nullopt;
            if (auto* t = std::get_if<T>(&*m)) return *t;
        }
        return std::nullopt;
    }
    /// Reads the `connection`, `joined` and `history` frames that open every connection;
    /// returns the first.
    connection_info read_welcome();
    /// Sends identity and waits for its answer.
    identity_result identify(const std::string& name);

    /// Waits until the server closes the connection; returns its close code (nullopt on timeout).
    std::optional<std::uint16_t> wait_closed(std::chrono::milliseconds timeout = 3s);
    bool is_open() const;
    /// Stops answering heartbeats (to test the server's timeout).
    void answer_heartbeats(bool answer) { answer_heartbeats_ = answer; }
    /// Stops reading from the socket entirely (a slow consumer): frames pile up in the kernel.
    /// Further next() calls are not allowed.
    std::size_t raw_socket_fd();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    bool answer_heartbeats_ = true;
};

/// A `message` frame: `text`, with a nonce and a channel when given.
inline client_frame post(std::string text, std::optional<std::string> nonce = std::nullopt,
                         std::optional<std::string> channel = std::nullopt) {
    return client_frame{post_message{std::move(channel), std::move(text)}, std::move(nonce)};
}

/// Sends raw bytes to 127.0.0.1:`port` and returns everything read until the server
/// closes or `timeout` passes (plain HTTP tests, malformed upgrades).
std::string raw_exchange(unsigned short port, std::string_view request, std::chrono::milliseconds timeout = 3s);

/// The status code of an HTTP response text ("HTTP/1.1 404 ..." -> 404), 0 if none.
int http_status(std::string_view response);

}  // namespace parley::test
