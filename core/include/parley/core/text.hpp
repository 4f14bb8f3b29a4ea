#pragma once
// Text rules of the protocol: UTF-8, code points, name and channel syntax.
// Pure functions over bytes; safe on any input.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

/// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

/// UTF-8 checked piece by piece, the pieces split anywhere (a WebSocket text message that
/// arrives over many reads and fragments). It fails at the first byte that no valid UTF-8
/// could continue with (RFC 3629: overlong forms, surrogates, above U+10FFFF, stray
/// continuation bytes), not when the text ends. A plain value of four bytes, owned by its
/// user and used from one thread at a time.
class utf8_validator {
public:
    /// Checks `bytes` as the continuation of everything fed before. False from the first
    /// impossible byte on (and for every later call); a sequence cut at the end of `bytes`
    /// is fine until more arrives.
    bool feed(std::string_view bytes);
    /// Whether everything fed is valid and ends on a whole code point (the text's end).
    bool complete() const { return !failed_ && need_ == 0; }
    /// Whether an impossible byte was seen.
    bool failed() const { return failed_; }
    /// Starts over for a new text.
    void reset() { *this = utf8_validator{}; }

private:
    bool fail() {
        failed_ = true;
        return false;
    }

    std::uint8_t need_ = 0;     ///< continuation bytes still expected
    std::uint8_t low_ = 0x80;   ///< range of the next continuation byte: narrower after
    std::uint8_t high_ = 0xBF;  ///< E0, ED, F0 and F4, which is what rules out the rest
    bool failed_ = false;
};

/// Number of code points in `text`, or nullopt when it is not valid UTF-8.
std::optional<std::size_t> count_code_points(std::string_view text);

/// Whether `name` is a valid guest or account name: ^[A-Za-z0-9_.-]{1,32}$.
bool is_valid_user_name(std::string_view name);

/// Whether `name` matches the channel rule ^[a-z0-9][a-z0-9_-]{0,31}$ (reserved or not).
bool matches_channel_rule(std::string_view name);

/// Whether `name` is one of the paths the server keeps for itself (api, healthz, metrics, readyz).
bool is_reserved_channel(std::string_view name);

/// Whether `name` can be joined: it matches the rule and is not reserved.
inline bool is_valid_channel_name(std::string_view name) {
    return matches_channel_rule(name) && !is_reserved_channel(name);
}

/// ASCII lower-case copy: the key under which names are unique (names are ASCII).
std::string fold_name(std::string_view name);

/// Case-insensitive equality of two names.
bool same_name(std::string_view a, std::string_view b);

/// Whether `text` is acceptable as message text: valid UTF-8, not blank, no control
/// characters other than tab and newline. Length is checked separately (too_long).
bool is_acceptable_text(std::string_view text);

/// The channel named by a WebSocket or page path: "/" is "general", "/fishing" is
/// "fishing"; nullopt when the path names no valid channel (reserved, bad syntax, nested).
std::optional<std::string> channel_from_path(std::string_view path);

/// The default channel, joined by the path "/".
inline constexpr std::string_view default_channel = "general";

}  // namespace parley
