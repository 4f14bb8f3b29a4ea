#include "parley/core/text.hpp"

#include <array>
#include <cstring>

#include "parley/core/limits.hpp"

namespace parley {
namespace {

/// Decodes one UTF-8 sequence at `i`; returns its length, or 0 when malformed
/// (overlong, surrogate, above U+10FFFF, truncated, stray continuation byte).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (s.size() - i < len) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr std::array<std::string_view, 4> reserved_channels = {"api", "healthz", "metrics", "readyz"};

}  // namespace

bool is_valid_utf8(std::string_view text) { return count_code_points(text).has_value(); }

bool utf8_validator::feed(std::string_view bytes) {
    if (failed_) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* const end = p + bytes.size();
    while (p != end) {
        if (need_ > 0) {
            const unsigned char b = *p++;
            if (b < low_ || b > high_) return fail();
            --need_;
            low_ = 0x80;
            high_ = 0xBF;
            continue;
        }
        // Between code points: skip ASCII eight bytes at a time (most chat text is ASCII).
        while (end - p >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, 8);
            if ((word & 0x8080808080808080ULL) != 0) break;
            p += 8;
        }
        if (p == end) break;
        const unsigned char b = *p++;
        if (b < 0x80) continue;
        // RFC 3629 section 4: C0, C1 and F5-FF never appear; the ranges after E0, ED, F0
        // and F4 exclude overlong forms, surrogates and code points above U+10FFFF.
        if (b < 0xC2) return fail();
        if (b < 0xE0) {
            need_ = 1;
        } else if (b < 0xF0) {
            need_ = 2;
            if (b == 0xE0) low_ = 0xA0;
            if (b == 0xED) high_ = 0x9F;
        } else if (b < 0xF5) {
            need_ = 3;
            if (b == 0xF0) low_ = 0x90;
            if (b == 0xF4) high_ = 0x8F;
        } else {
            return fail();
        }
    }
    return true;
}

std::optional<std::size_t> count_code_points(std::string_view text) {
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        // ASCII fast path: most chat text is ASCII.
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            ++i, ++count;
            continue;
        }
        char32_t cp = 0;
        const std::size_t len = utf8_sequence_length(text, i, cp);
        if (len == 0) return std::nullopt;
        i += len, ++count;
    }
    return count;
}

bool is_valid_user_name(std::string_view name) {
    if (name.empty() || name.size() > limits::max_user_name_bytes) return false;
    for (char c : name)
        if (!is_name_char(c)) return false;
    return true;
}

bool matches_channel_rule(std::string_view name) {
    if (name.empty() || name.size() > limits::max_channel_name_bytes) return false;
    auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lower_or_digit(name.front())) return false;
    for (char c : name.substr(1))
        if (!lower_or_digit(c) && c != '_' && c != '-') return false;
    return true;
}

bool is_reserved_channel(std::string_view name) {
    for (auto reserved : reserved_channels)
        if (name == reserved) return true;
    return false;
}

std::string fold_name(std::string_view name) {
    std::string folded(name);
    for (char& c : folded) c = lower_ascii(c);
    return folded;
}

bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
    return true;
}

bool is_acceptable_text(std::string_view text) {
    bool has_visible = false;
    std::size_t i = 0;
    while (i < text.size()) {
        char32_t cp = 0;
        const std::size_t len = utf8_sequence_length(text, i, cp);
        if (len == 0) return false;
        i += len;
        if (cp == '\n' || cp == '\t' || cp == ' ') continue;
        // C0 controls, DEL and C1 controls render as nothing or garble terminals.
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return false;
        has_visible = true;
    }
    return has_visible;
}

std::optional<std::string> channel_from_path(std::string_view path) {
    if (path.empty() || path.front() != '/') return std::nullopt;
    const std::string_view name = path.substr(1);
    if (name.empty()) return std::string(default_channel);
    if (!is_valid_channel_name(name)) return std::nullopt;
    return std::string(name);
}

}  // namespace parley
