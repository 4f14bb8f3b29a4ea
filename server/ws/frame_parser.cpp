#include "ws/frame_parser.hpp"

#include <algorithm>
#include <cstring>

#include "parley/core/text.hpp"

namespace parley::server::ws {

// It lives in every connection; keep it a cache line and a half.
static_assert(sizeof(frame_parser) <= 96);

namespace {

/// Size of a header whose second byte is `second`, mask key included (an unmasked frame
/// fails on its first two bytes, before this length matters).
std::size_t header_length(std::uint8_t second) {
    const std::uint8_t length7 = second & 0x7F;
    return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4;
}

/// XORs `size` bytes with the masking key, starting at key byte `phase`; returns the phase
/// for the byte after them. Eight bytes per step: masking is the parser's hot loop.
std::uint8_t apply_mask(char* data, std::size_t size, std::uint32_t key, std::uint8_t phase) {
    unsigned char key_bytes[4];
    std::memcpy(key_bytes, &key, 4);
    unsigned char rotated[8];
    for (std::size_t i = 0; i < 8; ++i) rotated[i] = key_bytes[(phase + i) & 3];
    std::uint64_t key_word;
    std::memcpy(&key_word, rotated, 8);

    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, 8);
        word ^= key_word;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ rotated[i & 7]);
    return static_cast<std::uint8_t>((phase + size) & 3);
}

}  // namespace

frame_parser::frame_parser(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

void frame_parser::feed(std::span<char> bytes, frame_events& events) {
    char* p = bytes.data();
    char* const end = p + bytes.size();
    while (p != end && is_open()) {
        if (phase_ == phase::header) {
            p += consume_header(p, static_cast<std::size_t>(end - p), events);
            continue;
        }
        const auto available = static_cast<std::size_t>(end - p);
        const bool self_contained = is_control(frame_opcode_) || (frame_fin_ && message_bytes_ == 0);
        if (phase_ == phase::payload_start && self_contained && available >= remaining_) {
            // The whole frame is in the caller's bytes: unmask in place, hand out a view.
            apply_mask(p, remaining_, mask_, 0);
            const std::string_view payload(p, remaining_);
            p += remaining_;
            remaining_ = 0;
            if (in_text_message() && !check_text(payload, events)) continue;
            finish_frame(payload, events);
            continue;
        }
        const std::size_t take = std::min(available, remaining_);
        const std::size_t old_size = buffer_.size();
        buffer_.append(p, take);
        mask_phase_ = apply_mask(buffer_.data() + old_size, take, mask_, mask_phase_);
        p += take;
        remaining_ -= take;
        phase_ = phase::payload;
        // Text is checked as it arrives, so a client cannot make the server buffer up to a
        // whole message of bytes that can never become UTF-8.
        if (in_text_message() && !check_text(std::string_view(buffer_).substr(old_size, take), events)) continue;
        if (remaining_ == 0) finish_frame(std::string_view(buffer_).substr(message_bytes_), events);
    }
    // Deferred to here because stop() may be called while a payload view is in use.
    if (!is_open()) release_buffer();
}

void frame_parser::stop() {
    if (is_open()) phase_ = phase::stopped;
}

std::size_t frame_parser::consume_header(const char* p, std::size_t available, frame_events& events) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(p);
    if (header_size_ == 0 && available >= 2) {
        const std::size_t size = header_length(bytes[1]);
        if (available >= size) {
            accept_header(bytes, events);
            return size;
        }
    }
    // The header is split across feeds: collect it, failing as soon as two bytes show a
    // broken rule rather than waiting for bytes that may never come.
    std::size_t used = 0;
    while (used < available) {
        header_[header_size_++] = bytes[used++];
        if (header_size_ < 2) continue;
        if (header_size_ == 2) {
            if (const std::uint16_t code = check_start(header_[0], header_[1]); code != 0) {
                header_size_ = 0;
                fail(code, events);
                return used;
            }
        }
        if (header_size_ == header_length(header_[1])) {
            header_size_ = 0;
            accept_header(header_.data(), events);
            return used;
        }
    }
    return used;
}

std::uint16_t frame_parser::check_start(std::uint8_t first, std::uint8_t second) const {
    // No extension is negotiated, so every RSV bit must be clear.
    if ((first & 0x70) != 0) return close_code::protocol_error;
    const bool fin = (first & 0x80) != 0;
    const bool message_open = message_opcode_ != opcode::continuation;
    switch (static_cast<opcode>(first & 0x0F)) {
        case opcode::continuation:
            if (!message_open) return close_code::protocol_error;
            break;
        case opcode::text:
        case opcode::binary:
            if (message_open) return close_code::protocol_error;
            break;
        case opcode::close:
        case opcode::ping:
        case opcode::pong:
            if (!fin || (second & 0x7F) > max_control_payload) return close_code::protocol_error;
            break;
        default:
            return close_code::protocol_error;
    }
    // Clients must mask (RFC 6455 section 5.1).
    if ((second & 0x80) == 0) return close_code::protocol_error;
    return 0;
}

void frame_parser::accept_header(const std::uint8_t* header, frame_events& events) {
    if (const std::uint16_t code = check_start(header[0], header[1]); code != 0) {
        fail(code, events);
        return;
    }
    std::uint64_t length = header[1] & 0x7F;
    std::size_t at = 2;
    if (length == 126) {
        length = (std::uint64_t{header[2]} << 8) | header[3];
        at = 4;
    } else if (length == 127) {
        length = 0;
        for (std::size_t i = 0; i < 8; ++i) length = (length << 8) | header[2 + i];
        at = 10;
        if ((length >> 63) != 0) {
            fail(close_code::protocol_error, events);
            return;
        }
    }
    const auto op = static_cast<opcode>(header[0] & 0x0F);
    // Refuse before buffering anything; fragments count toward one message.
    if (!is_control(op) && length > max_message_bytes_ - message_bytes_) {
        fail(close_code::message_too_big, events);
        return;
    }
    std::memcpy(&mask_, header + at, 4);
    mask_phase_ = 0;
    remaining_ = static_cast<std::size_t>(length);
    frame_opcode_ = op;
    frame_fin_ = (header[0] & 0x80) != 0;
    if (op == opcode::text) utf8_.reset();
    if (!frame_fin_ && op != opcode::continuation) message_opcode_ = op;
    phase_ = phase::payload_start;
    // An empty frame is complete now, even if no further byte is ever fed.
    if (remaining_ == 0) finish_frame({}, events);
}

void frame_parser::finish_frame(std::string_view payload, frame_events& events) {
    phase_ = phase::header;
    if (is_control(frame_opcode_)) {
        deliver_control(payload, events);
        if (!is_open()) return;
        // A control frame split across feeds sat behind the open message's bytes.
        if (message_bytes_ == 0) {
            release_buffer();
        } else {
            buffer_.resize(message_bytes_);
        }
        return;
    }
    if (!frame_fin_) {
        message_bytes_ = buffer_.size();
        return;
    }
    // An unbuffered frame is the whole message; otherwise buffer_ holds all of it.
    const std::string_view message = buffer_.empty() ? payload : std::string_view(buffer_);
    const opcode kind = frame_opcode_ == opcode::continuation ? message_opcode_ : frame_opcode_;
    message_opcode_ = opcode::continuation;
    message_bytes_ = 0;
    if (kind == opcode::text) {
        // Every byte was checked on arrival; a sequence cut by the message's end is not UTF-8.
        if (!utf8_.complete()) {
            fail(close_code::invalid_payload, events);
            return;
        }
        events.on_text(message);
    } else {
        events.on_binary(message);
    }
    if (is_open()) release_buffer();
}

bool frame_parser::in_text_message() const {
    return frame_opcode_ == opcode::text ||
           (frame_opcode_ == opcode::continuation && message_opcode_ == opcode::text);
}

bool frame_parser::check_text(std::string_view unmasked, frame_events& events) {
    if (utf8_.feed(unmasked)) return true;
    fail(close_code::invalid_payload, events);
    return false;
}

void frame_parser::deliver_control(std::string_view payload, frame_events& events) {
    switch (frame_opcode_) {
        case opcode::ping:
            events.on_ping(payload);
            return;
        case opcode::pong:
            events.on_pong(payload);
            return;
        default:
            break;
    }
    if (payload.empty()) {
        phase_ = phase::closed;
        events.on_close(close_code::no_status, {});
        return;
    }
    if (payload.size() == 1) {
        fail(close_code::protocol_error, events);
        return;
    }
    const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                 static_cast<unsigned char>(payload[1]));
    if (!is_valid_close_code(code)) {
        fail(close_code::protocol_error, events);
        return;
    }
    const std::string_view reason = payload.substr(2);
    if (!is_valid_utf8(reason)) {
        fail(close_code::invalid_payload, events);
        return;
    }
    phase_ = phase::closed;
    events.on_close(code, reason);
}

void frame_parser::fail(std::uint16_t code, frame_events& events) {
    phase_ = phase::failed;
    events.on_failure(code);
}

void frame_parser::release_buffer() {
    // clear() keeps the capacity; swapping with an empty string gives it back.
    std::string().swap(buffer_);
}

}  // namespace parley::server::ws
