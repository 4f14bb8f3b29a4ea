#pragma once
// Incremental parser of the frames a WebSocket client sends (RFC 6455, no extensions).
// Pure code over bytes: the session feeds what it read and gets whole messages back,
// so it can be tested and fuzzed without sockets.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "ws/frame.hpp"

namespace parley::server::ws {

/// What the parser found, delivered during `frame_parser::feed`. Payload views are valid
/// only until the callback returns (they point into the fed bytes or the parser's buffer).
/// Implemented by the session; called on the thread (strand) that calls `feed`.
class frame_events {
public:
    virtual ~frame_events() = default;
    /// A complete text message, already checked to be valid UTF-8 (as it arrived: invalid
    /// bytes fail the connection with 1007 before the message ends).
    virtual void on_text(std::string_view payload) = 0;
    /// A complete binary message.
    virtual void on_binary(std::string_view payload) = 0;
    /// A ping; the session answers with a pong carrying `payload` (<= 125 bytes).
    virtual void on_ping(std::string_view payload) = 0;
    /// A pong (an answer to our ping, or unsolicited).
    virtual void on_pong(std::string_view payload) = 0;
    /// A valid close frame; `code` is close_code::no_status when it carried none.
    /// The parser ignores everything after it.
    virtual void on_close(std::uint16_t code, std::string_view reason) = 0;
    /// The client broke the protocol: send a close frame with `code` (1002, 1007 or 1009)
    /// and stop reading. Reported once; the parser ignores everything after it.
    virtual void on_failure(std::uint16_t code) = 0;
};

/// Reassembles client frames into messages and checks every RFC 6455 rule a server must.
/// One per connection, owned by its session and used from the session's strand only.
/// Holds no heap memory unless a message is fragmented or split across reads, and
/// releases it once the message is delivered.
class frame_parser {
public:
    /// `max_message_bytes` bounds a message's payload, fragments summed; larger is 1009.
    explicit frame_parser(std::size_t max_message_bytes = limits::default_max_frame_bytes);

    /// Parses `bytes` (just read from the socket) and reports what completes in them.
    /// Unmasks in place, so `bytes` is modified. Must not be called from inside `events`.
    void feed(std::span<char> bytes, frame_events& events);

    /// Makes the parser ignore all further input; may be called from inside a callback
    /// (e.g. when the session closes the connection for its own reasons).
    void stop();

    /// Whether the parser still accepts input: no close, failure or stop() yet.
    bool is_open() const { return phase_ < phase::closed; }
    /// Whether a protocol failure was reported.
    bool failed() const { return phase_ == phase::failed; }
    /// Bytes of a partial message or frame held between feeds.
    std::size_t buffered_bytes() const { return buffer_.size(); }
    /// Heap-or-inline capacity of the hold buffer (for tests and memory accounting).
    std::size_t buffer_capacity() const { return buffer_.capacity(); }

private:
    enum class phase : std::uint8_t {
        header,         // collecting a frame header
        payload_start,  // header complete, no payload byte consumed yet
        payload,        // copying payload into buffer_
        closed,         // a close frame was delivered
        stopped,        // stop() was called
        failed,         // on_failure was reported
    };

    std::size_t consume_header(const char* p, std::size_t available, frame_events& events);
    std::uint16_t check_start(std::uint8_t first, std::uint8_t second) const;
    void accept_header(const std::uint8_t* header, frame_events& events);
    void finish_frame(std::string_view payload, frame_events& events);
    /// Whether the current frame carries part of a text message.
    bool in_text_message() const;
    /// Checks newly unmasked text bytes; fails with 1007 at the first impossible byte.
    bool check_text(std::string_view unmasked, frame_events& events);
    void deliver_control(std::string_view payload, frame_events& events);
    void fail(std::uint16_t code, frame_events& events);
    void release_buffer();

    /// The payload of the open message (complete fragments) followed by the part of the
    /// current frame received so far; empty with no heap capacity when nothing is pending.
    std::string buffer_;
    std::size_t max_message_bytes_;
    /// Payload bytes of the current frame not yet consumed.
    std::size_t remaining_ = 0;
    /// Bytes of the open message in buffer_, i.e. where the current frame's payload starts.
    std::size_t message_bytes_ = 0;
    /// Masking key in wire byte order.
    std::uint32_t mask_ = 0;
    /// Header bytes of a header split across feeds (2 + 8 length + 4 mask at most).
    std::array<std::uint8_t, 14> header_{};
    std::uint8_t header_size_ = 0;
    /// Which byte of mask_ applies to the next payload byte of the current frame.
    std::uint8_t mask_phase_ = 0;
    opcode frame_opcode_ = opcode::continuation;
    bool frame_fin_ = false;
    /// Opcode of the fragmented message in progress; continuation means none.
    opcode message_opcode_ = opcode::continuation;
    /// UTF-8 state of the text message in progress, across fragments and feeds.
    utf8_validator utf8_;
    phase phase_ = phase::header;
};

}  // namespace parley::server::ws
