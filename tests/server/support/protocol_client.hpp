#pragma once
// What a test does with a WebSocket connection to the server, whatever carries it (plain
// TCP or TLS): typed frames, the welcome frames, identity. Subclasses move the text.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "parley/core/codec.hpp"

namespace parley::test {

using namespace std::chrono_literals;

/// The protocol half of a test client. Not thread-safe: use from the test's thread.
class protocol_client {
public:
    virtual ~protocol_client() = default;

    /// Sends a text frame.
    virtual void send(std::string_view text) = 0;
    /// The next text frame (heartbeats answered and skipped); nullopt on timeout or close.
    virtual std::optional<std::string> next_text(std::chrono::milliseconds timeout = 3s) = 0;

    /// Sends a client frame encoded by core.
    void send(const client_frame& frame) { send(encode(frame)); }
    /// The next frame decoded as a server message; throws on an undecodable frame.
    std::optional<server_message> next(std::chrono::milliseconds timeout = 3s);
    /// Skips frames until one of type `T` arrives; nullopt on timeout or close.
    template <class T>
    std::optional<T> next_of(std::chrono::milliseconds timeout = 3s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            auto m = next(left);
            if (!m) return std::nullopt;
            if (auto* t = std::get_if<T>(&*m)) return *t;
        }
        return std::nullopt;
    }
    /// Reads `connection`, `joined` and `history`; returns the first; throws if one is missing.
    connection_info read_welcome();
    /// Sends identity and waits for its answer; throws without one.
    identity_result identify(const std::string& name);
};

}  // namespace parley::test
