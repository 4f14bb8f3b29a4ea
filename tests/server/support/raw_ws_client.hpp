#pragma once
// A WebSocket client over a plain POSIX socket that writes every byte itself: the upgrade
// request, masked frames with any opcode and payload (invalid UTF-8, oversized headers,
// fragments), and a socket receive buffer chosen before connecting (slow consumers).
// Beast refuses to send most of these, which is why the tests need it. Every wait is bounded.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/core/codec.hpp"

namespace parley::test {

using namespace std::chrono_literals;

/// One frame as the server sent it (server frames are never masked).
struct raw_frame {
    std::uint8_t opcode = 0;
    bool fin = true;
    std::string payload;
};

/// Socket options set before connecting.
struct raw_options {
    /// SO_RCVBUF in bytes before connect (the window is negotiated from it); 0 leaves the default.
    int receive_buffer_bytes = 0;
    /// Bytes sent in the same write as the upgrade request, before any answer (a client
    /// that pipelines its first frames); build them with encode_client_frame.
    std::string after_request;
};

/// The bytes of one masked client frame, as raw_ws_client sends them.
std::string encode_client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true);

/// One raw connection. Not thread-safe: use from the test's thread.
class raw_ws_client {
public:
    /// Connects to 127.0.0.1:`port`, sends an upgrade request for `target` with the usual
    /// headers plus `headers` (a header named in `headers` replaces the usual one; an empty
    /// value removes it), and reads the response head. Throws if it cannot connect.
    raw_ws_client(unsigned short port, std::string target = "/",
                  std::vector<std::pair<std::string, std::string>> headers = {}, raw_options options = {});
    ~raw_ws_client();
    raw_ws_client(const raw_ws_client&) = delete;
    raw_ws_client& operator=(const raw_ws_client&) = delete;

    /// The HTTP status of the upgrade answer (101 when upgraded; 0 if none arrived).
    int status() const { return status_; }
    /// The answer's head (status line and headers), and for a refusal whatever body followed.
    const std::string& response() const { return response_; }

    /// Sends one masked frame. False if the socket refused the bytes (peer gone).
    bool send_frame(std::uint8_t opcode, std::string_view payload, bool fin = true);
    /// Sends a masked frame header announcing `length` payload bytes, without the payload.
    bool send_header_only(std::uint8_t opcode, std::uint64_t length, bool fin = true);
    bool send_text(std::string_view text) { return send_frame(0x1, text); }
    bool send(const client_frame& frame) { return send_text(encode(frame)); }
    /// Sends bytes exactly as given.
    bool send_bytes(std::string_view bytes);

    /// The next frame from the server; nullopt on timeout, EOF or error.
    std::optional<raw_frame> next_frame(std::chrono::milliseconds timeout = 3s);
    /// The next text frame's payload; heartbeats are answered and skipped; a close frame
    /// is recorded (see close_code()) and ends the wait with nullopt.
    std::optional<std::string> next_text(std::chrono::milliseconds timeout = 3s);
    /// The next text frame decoded as a server message; throws on an undecodable frame.
    std::optional<server_message> next(std::chrono::milliseconds timeout = 3s);
    /// Skips frames until one of type `T` arrives; nullopt on timeout or close.
    template <class T>
    std::optional<T> next_of(std::chrono::milliseconds timeout = 3s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
            if (!m) return std::nullopt;
            if (auto* t = std::get_if<T>(&*m)) return *t;
        }
        return std::nullopt;
    }
    /// Reads `connection`, `joined` and `history`; throws if one is missing.
    connection_info read_welcome();
    /// Sends identity and waits for its answer; throws without one.
    identity_result identify(const std::string& name);

    /// Reads (and drops) frames until the server's close frame; returns its code (1005 for
    /// a close without one, 1006 for EOF without a close frame), nullopt on timeout. The
    /// close is answered, as RFC 6455 asks.
    std::optional<std::uint16_t> wait_closed(std::chrono::milliseconds timeout = 3s);
    /// The code of a close frame already seen by next_text/next_frame callers, if any.
    std::optional<std::uint16_t> close_code() const { return close_code_; }
    /// Whether the server ended the TCP stream (EOF or reset).
    bool at_eof() const { return eof_; }
    /// Whether the server has sent neither a close frame nor EOF.
    bool is_open() const { return !eof_ && !close_code_; }

private:
    /// Reads more bytes into in_ until `deadline`; false on timeout or EOF.
    bool fill(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    int status_ = 0;
    std::string response_;
    std::string in_;  ///< received bytes not yet parsed
    bool eof_ = false;
    std::optional<std::uint16_t> close_code_;
    bool close_answered_ = false;
};

}  // namespace parley::test
