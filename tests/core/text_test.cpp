#include "parley/core/text.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "parley/core/limits.hpp"
#include "test_strings.hpp"

using namespace std::string_view_literals;
using parley::test::repeat;

namespace {

struct utf8_row {
    std::string_view name;
    std::string_view bytes;
};

// sv literals keep embedded NULs; hex escapes are split ("\xC3" "A") where a letter follows.
constexpr utf8_row valid_utf8[] = {
    {"empty", ""sv},
    {"ascii", "hello"sv},
    {"NUL is a code point", "a\0b"sv},
    {"two bytes U+00E9", "\xC3\xA9"sv},
    {"lowest two-byte U+0080", "\xC2\x80"sv},
    {"three bytes U+20AC", "\xE2\x82\xAC"sv},
    {"lowest three-byte U+0800", "\xE0\xA0\x80"sv},
    {"last before surrogates U+D7FF", "\xED\x9F\xBF"sv},
    {"first after surrogates U+E000", "\xEE\x80\x80"sv},
    {"U+FFFF", "\xEF\xBF\xBF"sv},
    {"four bytes U+1F600", "\xF0\x9F\x98\x80"sv},
    {"lowest four-byte U+10000", "\xF0\x90\x80\x80"sv},
    {"highest code point U+10FFFF", "\xF4\x8F\xBF\xBF"sv},
    {"mixed", "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"sv},
};

constexpr utf8_row invalid_utf8[] = {
    {"overlong slash C0 AF", "\xC0\xAF"sv},
    {"overlong C1 BF", "\xC1\xBF"sv},
    {"overlong NUL C0 80", "\xC0\x80"sv},
    {"overlong three-byte E0 80 AF", "\xE0\x80\xAF"sv},
    {"overlong three-byte E0 9F BF", "\xE0\x9F\xBF"sv},
    {"overlong four-byte F0 80 80 AF", "\xF0\x80\x80\xAF"sv},
    {"overlong four-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF"sv},
    {"high surrogate ED A0 80", "\xED\xA0\x80"sv},
    {"low surrogate ED BF BF", "\xED\xBF\xBF"sv},
    {"surrogate pair encoded as CESU-8", "\xED\xA0\xBD\xED\xB8\x80"sv},
    {"above U+10FFFF F4 90 80 80", "\xF4\x90\x80\x80"sv},
    {"lead byte F5", "\xF5\x80\x80\x80"sv},
    {"lead byte F8 (five-byte form)", "\xF8\x88\x80\x80\x80"sv},
    {"byte FE", "\xFE"sv},
    {"byte FF", "\xFF"sv},
    {"stray continuation 80", "\x80"sv},
    {"stray continuation BF after ascii", "a\xBF"sv},
    {"extra continuation after a full sequence", "\xC3\xA9\xA9"sv},
    {"truncated two-byte at end", "a\xC3"sv},
    {"truncated three-byte at end", "\xE2\x82"sv},
    {"truncated four-byte at end", "\xF0\x9F\x98"sv},
    {"two-byte lead then ascii", "\xC3" "A"sv},
    {"three-byte lead then ascii", "\xE2\x28\xA1"sv},
    {"four-byte lead cut by NUL", "\xF0\x9F\x98\0"sv},
    {"invalid byte in the middle of ascii", "abc\xFF" "def"sv},
};

}  // namespace

TEST_CASE("is_valid_utf8 accepts well-formed UTF-8 up to U+10FFFF") {
    for (const auto& row : valid_utf8) {
        CAPTURE(row.name);
        CHECK(parley::is_valid_utf8(row.bytes));
    }
}

TEST_CASE("is_valid_utf8 rejects overlong forms, surrogates, out-of-range and broken sequences") {
    for (const auto& row : invalid_utf8) {
        CAPTURE(row.name);
        CHECK_FALSE(parley::is_valid_utf8(row.bytes));
    }
}

namespace {

/// Feeds `bytes` to a fresh validator one byte at a time; the index of the byte at which it
/// first fails, or nullopt when every byte was accepted.
std::optional<std::size_t> first_refused_byte(std::string_view bytes) {
    parley::utf8_validator v;
    for (std::size_t i = 0; i < bytes.size(); ++i)
        if (!v.feed(bytes.substr(i, 1))) return i;
    return std::nullopt;
}

/// Whether the validator, fed `bytes` split into two pieces at `at`, accepts them as a text.
bool validates_split(std::string_view bytes, std::size_t at) {
    parley::utf8_validator v;
    const bool first = v.feed(bytes.substr(0, at));
    const bool second = v.feed(bytes.substr(at));
    return first && second && v.complete();
}

}  // namespace

TEST_CASE("utf8_validator agrees with is_valid_utf8 on every row, however it is split") {
    for (const auto& rows : {std::span<const utf8_row>(valid_utf8), std::span<const utf8_row>(invalid_utf8)}) {
        for (const auto& row : rows) {
            CAPTURE(row.name);
            for (std::size_t at = 0; at <= row.bytes.size(); ++at) {
                CAPTURE(at);
                CHECK(validates_split(row.bytes, at) == parley::is_valid_utf8(row.bytes));
            }
        }
    }
}

TEST_CASE("utf8_validator agrees with is_valid_utf8 on every sequence of up to three bytes") {
    // Exhaustive for one and two bytes; three bytes for every lead byte from C0 up (the rest
    // are ASCII or continuation bytes, covered by the shorter forms). Four-byte leads with
    // every second and third byte and a few fourth bytes.
    std::size_t mismatches = 0;
    std::string s;
    const auto check = [&] {
        parley::utf8_validator v;
        if ((v.feed(s) && v.complete()) != parley::is_valid_utf8(s)) ++mismatches;
    };
    for (int a = 0; a < 256; ++a) {
        s.assign(1, static_cast<char>(a));
        check();
        for (int b = 0; b < 256; ++b) {
            s.assign({static_cast<char>(a), static_cast<char>(b)});
            check();
            if (a < 0xC0) continue;
            for (int c = 0; c < 256; ++c) {
                s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
                check();
                if (a < 0xF0 || a > 0xF7) continue;
                for (int d : {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF}) {
                    s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)});
                    check();
                }
            }
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("utf8_validator fails at the first byte no valid UTF-8 could continue with") {
    // RFC 6455 8.1 asks a receiver to fail as soon as the bytes cannot become UTF-8.
    CHECK(first_refused_byte("hello \xC3\xA9") == std::nullopt);
    CHECK(first_refused_byte("\xC0\xAF") == 0u);           // C0 only starts overlong forms
    CHECK(first_refused_byte("ab\xE0\x80\x80") == 3u);     // E0 80: an overlong three-byte
    CHECK(first_refused_byte("\xED\xA0\x80") == 1u);       // ED A0: a surrogate
    CHECK(first_refused_byte("\xF0\x8F\xBF\xBF") == 1u);   // F0 8F: an overlong four-byte
    CHECK(first_refused_byte("\xF4\x90\x80\x80") == 1u);   // F4 90: above U+10FFFF
    CHECK(first_refused_byte("x\xF5") == 1u);
    CHECK(first_refused_byte("\xE2\x82" "a") == 2u);
    CHECK(first_refused_byte("\xC3\xA9\xA9") == 2u);
    // A truncated sequence is refused only by complete(): more bytes may still come.
    parley::utf8_validator v;
    CHECK(v.feed("caf\xC3"));
    CHECK_FALSE(v.complete());
    CHECK(v.feed("\xA9"));
    CHECK(v.complete());
}

TEST_CASE("utf8_validator stays failed, and reset starts a new text") {
    parley::utf8_validator v;
    CHECK_FALSE(v.feed("\xFF"));
    CHECK(v.failed());
    CHECK_FALSE(v.feed("a"));
    CHECK_FALSE(v.complete());
    v.reset();
    CHECK(v.feed("a"));
    CHECK(v.complete());
    CHECK(sizeof(parley::utf8_validator) <= 4);
}

TEST_CASE("utf8_validator's eight-byte ASCII path stops at every non-ASCII position") {
    for (std::size_t at = 0; at < 24; ++at) {
        CAPTURE(at);
        std::string s(24, 'a');
        s[at] = '\x80';
        CHECK(first_refused_byte(s) == at);
        parley::utf8_validator v;
        CHECK_FALSE(v.feed(s));
        s[at] = '\xC3';
        s.insert(at + 1, 1, '\xA9');
        parley::utf8_validator w;
        CHECK(w.feed(s));
        CHECK(w.complete());
    }
}

TEST_CASE("count_code_points counts code points, not bytes") {
    CHECK(parley::count_code_points("") == std::optional<std::size_t>(0));
    CHECK(parley::count_code_points("abc") == std::optional<std::size_t>(3));
    CHECK(parley::count_code_points("a\0b"sv) == std::optional<std::size_t>(3));
    CHECK(parley::count_code_points("\xC3\xA9") == std::optional<std::size_t>(1));
    CHECK(parley::count_code_points("\xE2\x82\xAC") == std::optional<std::size_t>(1));
    CHECK(parley::count_code_points("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") ==
          std::optional<std::size_t>(4));
    const auto many = repeat(parley::test::emoji, parley::limits::max_text_code_points);
    CHECK(parley::count_code_points(many) ==
          std::optional<std::size_t>(parley::limits::max_text_code_points));
}

TEST_CASE("count_code_points is nullopt for invalid UTF-8") {
    for (const auto& row : invalid_utf8) {
        CAPTURE(row.name);
        CHECK_FALSE(parley::count_code_points(row.bytes).has_value());
    }
}

TEST_CASE("is_valid_user_name follows ^[A-Za-z0-9_.-]{1,32}$") {
    const std::string longest = repeat("a", parley::limits::max_user_name_bytes);
    const std::string too_long = repeat("a", parley::limits::max_user_name_bytes + 1);
    const std::string_view good[] = {
        "a", "Z", "0", "fishing_beast_5000", "Ann.Lee-2", "_", ".", "-", "...", longest,
    };
    const std::string_view bad[] = {
        ""sv, too_long, "a b"sv, " ann"sv, "ann "sv, "zo\xC3\xAB"sv, "\xC3\xA4"sv, "a\0b"sv,
        "ann\0"sv, "a/b"sv, "a@b"sv, "a+b"sv, "a:b"sv, "\t"sv, "ann\n"sv, "\xFF"sv,
    };
    for (const auto name : good) {
        CAPTURE(name);
        CHECK(parley::is_valid_user_name(name));
    }
    for (const auto name : bad) {
        CAPTURE(name);
        CHECK_FALSE(parley::is_valid_user_name(name));
    }
}

TEST_CASE("matches_channel_rule follows ^[a-z0-9][a-z0-9_-]{0,31}$") {
    const std::string longest = repeat("c", parley::limits::max_channel_name_bytes);
    const std::string too_long = repeat("c", parley::limits::max_channel_name_bytes + 1);
    const std::string_view good[] = {
        "general", "a", "0", "9lives", "a-b_c", "fishing", "a-", "a_", "api", longest,
    };
    const std::string_view bad[] = {
        ""sv,     too_long, "-a"sv,  "_a"sv,     "A"sv,         "Fishing"sv,
        "a.b"sv,  "a/b"sv,  "a b"sv, "/a"sv,     "caf\xC3\xA9"sv, "a\0"sv,
        "\0a"sv,  "a?b"sv,  "a%20"sv, "general\n"sv,
    };
    for (const auto name : good) {
        CAPTURE(name);
        CHECK(parley::matches_channel_rule(name));
    }
    for (const auto name : bad) {
        CAPTURE(name);
        CHECK_FALSE(parley::matches_channel_rule(name));
    }
}

TEST_CASE("api, healthz, metrics and readyz are reserved and so not valid channel names") {
    for (const auto name : {"api"sv, "healthz"sv, "metrics"sv, "readyz"sv}) {
        CAPTURE(name);
        CHECK(parley::is_reserved_channel(name));
        CHECK(parley::matches_channel_rule(name));
        CHECK_FALSE(parley::is_valid_channel_name(name));
    }
    for (const auto name : {"general"sv, "apis"sv, "metric"sv, "healthz2"sv, "ap"sv, "ready"sv}) {
        CAPTURE(name);
        CHECK_FALSE(parley::is_reserved_channel(name));
        CHECK(parley::is_valid_channel_name(name));
    }
    CHECK_FALSE(parley::is_valid_channel_name("General"));
    CHECK(parley::is_valid_channel_name(parley::default_channel));
}

TEST_CASE("fold_name lower-cases ASCII letters and nothing else") {
    CHECK(parley::fold_name("Ann") == "ann");
    CHECK(parley::fold_name("ABC_xyz.0-9") == "abc_xyz.0-9");
    CHECK(parley::fold_name("") == "");
    CHECK(parley::fold_name("already_lower") == "already_lower");
    // Non-ASCII bytes pass through unchanged (names are ASCII; this only must not corrupt).
    CHECK(parley::fold_name("\xC3\x84x") == "\xC3\x84x");
}

TEST_CASE("same_name compares names case-insensitively") {
    CHECK(parley::same_name("Ann", "aNN"));
    CHECK(parley::same_name("a.B-c_D", "A.b-C_d"));
    CHECK(parley::same_name("", ""));
    CHECK_FALSE(parley::same_name("ann", "anna"));
    CHECK_FALSE(parley::same_name("ann", "an"));
    CHECK_FALSE(parley::same_name("a-b", "a_b"));
    CHECK_FALSE(parley::same_name("ann", ""));
}

TEST_CASE("is_acceptable_text wants valid, non-blank text without control characters") {
    const std::string_view good[] = {
        "hi"sv, "morning is best"sv, "a\nb"sv, "a\tb"sv, " padded "sv, "\n\tx\n"sv,
        "\xC3\xA9"sv, "\xF0\x9F\x98\x80"sv, "quote \" and backslash \\"sv,
    };
    const std::string_view bad[] = {
        ""sv,          " "sv,         "\n"sv,         "\t"sv,          " \n\t "sv,
        "\0"sv,        "a\0b"sv,      "a\x07"sv,      "bell\x07 ring"sv, "\x1b[2J"sv,
        "a\rb"sv,      "a\x01"sv,     "\x1f"sv,       "\xC0\xAF"sv,    "ok\xED\xA0\x80"sv,
        "\xF4\x90\x80\x80"sv, "a\xC3"sv,
    };
    for (const auto text : good) {
        CAPTURE(text);
        CHECK(parley::is_acceptable_text(text));
    }
    for (const auto text : bad) {
        CAPTURE(text);
        CHECK_FALSE(parley::is_acceptable_text(text));
    }
}

TEST_CASE("channel_from_path maps / to general and /name to name") {
    CHECK(parley::channel_from_path("/") == std::optional<std::string>("general"));
    CHECK(parley::channel_from_path("/fishing") == std::optional<std::string>("fishing"));
    CHECK(parley::channel_from_path("/general") == std::optional<std::string>("general"));
    CHECK(parley::channel_from_path("/a") == std::optional<std::string>("a"));
    CHECK(parley::channel_from_path("/a-b_c9") == std::optional<std::string>("a-b_c9"));
    const std::string longest = repeat("c", parley::limits::max_channel_name_bytes);
    CHECK(parley::channel_from_path("/" + longest) == std::optional<std::string>(longest));
}

TEST_CASE("channel_from_path is nullopt for paths that name no valid channel") {
    const std::string too_long = "/" + repeat("c", parley::limits::max_channel_name_bytes + 1);
    const std::string_view bad[] = {
        ""sv,       "fishing"sv,  "/fishing/"sv, "/a/b"sv,     "//"sv,        "/api"sv,
        "/healthz"sv, "/metrics"sv, "/Fishing"sv, "/fish.ing"sv, "/-fish"sv,  "/ fishing"sv,
        "/%66ish"sv, "/caf\xC3\xA9"sv, "/fish\0"sv, too_long,   "/api/login"sv,
    };
    for (const auto path : bad) {
        CAPTURE(path);
        CHECK_FALSE(parley::channel_from_path(path).has_value());
    }
}
