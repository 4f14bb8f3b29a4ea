// libFuzzer harness: the server's WebSocket frame parser (server/ws/frame_parser.hpp) fed
// an arbitrary client byte stream in arbitrary pieces.
//
// Input layout (so the fuzzer controls the splits and the limit):
//   byte 0        bits 0-1 pick the message limit (see `limits`)
//   byte 1        k = byte & 15: how many piece lengths follow
//   bytes 2..k+1  piece lengths, 0-255, used in turn until the stream is consumed
//   the rest      the byte stream, as read from a socket
//
// Properties, checked after every feed and on every event:
// - the same bytes give the same events whether fed in the fuzzer's pieces, whole, or
//   one byte at a time;
// - the parser never holds more than one message's limit plus one control frame, and
//   nothing at all once it has stopped reading;
// - events obey the contract: text is UTF-8, no message is over the limit, control
//   payloads are at most 125 bytes, failure codes are 1002/1007/1009, a close carries a
//   valid code, and nothing follows a close or a failure.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "parley/core/text.hpp"
#include "ws/frame.hpp"
#include "ws/frame_parser.hpp"

namespace ws = parley::server::ws;

namespace {

/// Message limits to fuzz with: tiny ones reach the 1009 path with short inputs; the
/// default is what the server runs with.
constexpr std::array<std::size_t, 4> limits = {0, 16, 200, parley::limits::default_max_frame_bytes};

/// Every event as a comparable record.
struct event {
    char kind;  // t(ext) b(inary) p(ing) o (pong) c(lose) f(ailure)
    std::uint16_t code;
    std::string payload;
    bool operator==(const event&) const = default;
};

class recorder final : public ws::frame_events {
public:
    explicit recorder(std::size_t limit) : limit_(limit) {}

    void on_text(std::string_view payload) override {
        PARLEY_FUZZ_CHECK(parley::is_valid_utf8(payload), "text messages are UTF-8");
        PARLEY_FUZZ_CHECK(payload.size() <= limit_, "text message within the limit");
        add('t', 0, payload);
    }
    void on_binary(std::string_view payload) override {
        PARLEY_FUZZ_CHECK(payload.size() <= limit_, "binary message within the limit");
        add('b', 0, payload);
    }
    void on_ping(std::string_view payload) override {
        PARLEY_FUZZ_CHECK(payload.size() <= ws::max_control_payload, "ping payload <= 125");
        add('p', 0, payload);
    }
    void on_pong(std::string_view payload) override {
        PARLEY_FUZZ_CHECK(payload.size() <= ws::max_control_payload, "pong payload <= 125");
        add('o', 0, payload);
    }
    void on_close(std::uint16_t code, std::string_view reason) override {
        PARLEY_FUZZ_CHECK(code == ws::close_code::no_status || ws::is_valid_close_code(code), "close code valid");
        PARLEY_FUZZ_CHECK(code != ws::close_code::no_status || reason.empty(), "no reason without a code");
        PARLEY_FUZZ_CHECK(reason.size() <= ws::max_close_reason, "close reason <= 123");
        PARLEY_FUZZ_CHECK(parley::is_valid_utf8(reason), "close reason is UTF-8");
        add('c', code, reason);
    }
    void on_failure(std::uint16_t code) override {
        PARLEY_FUZZ_CHECK(code == ws::close_code::protocol_error || code == ws::close_code::invalid_payload ||
                              code == ws::close_code::message_too_big,
                          "failure code is 1002, 1007 or 1009");
        add('f', code, {});
    }

    std::vector<event> events;

private:
    void add(char kind, std::uint16_t code, std::string_view payload) {
        PARLEY_FUZZ_CHECK(!ended_, "no event after a close or a failure");
        ended_ = kind == 'c' || kind == 'f';
        events.push_back(event{kind, code, std::string(payload)});
    }

    std::size_t limit_;
    bool ended_ = false;
};

void check_state(const ws::frame_parser& parser, std::size_t limit) {
    // A fragmented message (at most `limit`) with a control frame split behind it.
    const std::size_t bound = limit + ws::max_control_payload;
    PARLEY_FUZZ_CHECK(parser.buffered_bytes() <= bound, "buffered bytes <= limit + 125");
    // std::string grows geometrically, so its capacity may reach twice what it held.
    PARLEY_FUZZ_CHECK(parser.buffer_capacity() <= 2 * bound + 32, "buffer capacity bounded");
    if (!parser.is_open()) PARLEY_FUZZ_CHECK(parser.buffered_bytes() == 0, "nothing held once closed");
}

/// Feeds a private copy of `stream` (the parser unmasks in place) in pieces whose lengths
/// `next_piece` gives; returns the events.
template <class NextPiece>
std::vector<event> run(std::string_view stream, std::size_t limit, NextPiece next_piece) {
    std::vector<char> bytes(stream.begin(), stream.end());
    ws::frame_parser parser(limit);
    recorder events(limit);
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::size_t piece = std::min(next_piece(), bytes.size() - at);
        parser.feed(std::span<char>(bytes.data() + at, piece), events);
        at += piece;
        check_state(parser, limit);
    }
    PARLEY_FUZZ_CHECK(parser.is_open() == (events.events.empty() || (events.events.back().kind != 'c' &&
                                                                     events.events.back().kind != 'f')),
                      "is_open() agrees with the events");
    PARLEY_FUZZ_CHECK(parser.failed() == (!events.events.empty() && events.events.back().kind == 'f'),
                      "failed() agrees with the events");
    return std::move(events.events);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t limit = limits[data[0] & 3];
    const std::size_t piece_count = data[1] & 15;
    if (size < 2 + piece_count) return 0;
    const std::span<const std::uint8_t> pieces(data + 2, piece_count);
    const std::string_view stream(reinterpret_cast<const char*>(data + 2 + piece_count), size - 2 - piece_count);

    // The fuzzer's pieces, in turn; an all-zero list would never progress, so a round of
    // zeros is followed by the rest of the stream.
    std::size_t turn = 0;
    std::size_t round_total = 0;
    const auto fuzzed = [&]() -> std::size_t {
        if (pieces.empty()) return stream.size();
        const std::size_t piece = pieces[turn % pieces.size()];
        round_total += piece;
        if (++turn % pieces.size() == 0) {
            if (round_total == 0) return stream.size();
            round_total = 0;
        }
        return piece;
    };
    const std::vector<event> split = run(stream, limit, fuzzed);
    const std::vector<event> whole = run(stream, limit, [&] { return stream.size(); });
    PARLEY_FUZZ_CHECK(split == whole, "split and whole feeds give the same events");
    const std::vector<event> bytewise = run(stream, limit, [] { return std::size_t{1}; });
    PARLEY_FUZZ_CHECK(bytewise == whole, "byte-by-byte and whole feeds give the same events");
    return 0;
}
