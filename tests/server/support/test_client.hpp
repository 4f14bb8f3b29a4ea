#pragma once
// A WebSocket client for integration tests, built on Beast's client stream (an
// implementation independent of the server's own framing). Every wait is bounded.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "parley/core/codec.hpp"
#include "protocol_client.hpp"

namespace parley::test {

using namespace std::chrono_literals;

/// One client connection. Not thread-safe: use from the test's thread.
class test_client final : public protocol_client {
public:
    using protocol_client::send;
    /// Connects to ws://127.0.0.1:`port``target`; throws on failure (the test fails).
    /// `headers` are extra request headers ("Origin: http://evil.example").
    test_client(unsigned short port, std::string target = "/",
                std::vector<std::pair<std::string, std::string>> headers = {});
    ~test_client();
    test_client(const test_client&) = delete;
    test_client& operator=(const test_client&) = delete;

    void send(std::string_view text) override;
    /// Sends a binary frame.
    void send_binary(std::string_view bytes);

    /// The next frame's text, or nullopt on timeout or close. Heartbeats are answered
    /// (unless answer_heartbeats(false)) and skipped.
    std::optional<std::string> next_text(std::chrono::milliseconds timeout = 3s) override;

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

/// Posts `text` from `poster` (any test client with send(frame) and next_of) with fresh
/// nonces until `stop()` holds, at most 4,000 times (64 MB of 16 KB texts, far beyond any
/// kernel buffering on loopback), requiring each echo and that `reader` sees the same
/// message. Returns how many were posted.
template <class Poster, class Stop>
int post_until(Poster& poster, protocol_client& reader, const std::string& text, Stop stop) {
    int sent = 0;
    while (!stop() && sent < 4000) {
        const std::string nonce = "n" + std::to_string(sent++);
        poster.send(post(text, nonce));
        auto echo = poster.template next_of<chat_message>();
        REQUIRE(echo);
        REQUIRE(echo->nonce == nonce);
        auto seen = reader.next_of<chat_message>();
        REQUIRE(seen);
        REQUIRE(seen->id == echo->id);
    }
    return sent;
}

/// Sends raw bytes to 127.0.0.1:`port` and returns everything read until the server
/// closes or `timeout` passes (plain HTTP tests, malformed upgrades).
std::string raw_exchange(unsigned short port, std::string_view request, std::chrono::milliseconds timeout = 3s);

/// The status code of an HTTP response text ("HTTP/1.1 404 ..." -> 404), 0 if none.
int http_status(std::string_view response);

}  // namespace parley::test
