#include "parley/core/error_code.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <string_view>

namespace {

using parley::error_code;

struct spelling_row {
    error_code code;
    std::string_view wire;
};

// PROTOCOL.md, Errors, in the protocol's order.
constexpr spelling_row spellings[] = {
    {error_code::invalid_json, "invalid_json"},
    {error_code::invalid_message, "invalid_message"},
    {error_code::unknown_type, "unknown_type"},
    {error_code::not_identified, "not_identified"},
    {error_code::name_taken, "name_taken"},
    {error_code::not_in_channel, "not_in_channel"},
    {error_code::no_such_channel, "no_such_channel"},
    {error_code::forbidden, "forbidden"},
    {error_code::rate_limited, "rate_limited"},
    {error_code::too_long, "too_long"},
    {error_code::not_found, "not_found"},
    {error_code::server_error, "server_error"},
};

}  // namespace

TEST_CASE("error codes are spelled on the wire as PROTOCOL.md lists them") {
    for (const auto& row : spellings) {
        CAPTURE(row.wire);
        CHECK(std::string(parley::to_string(row.code)) == std::string(row.wire));
    }
}

TEST_CASE("every wire spelling parses back to its code") {
    for (const auto& row : spellings) {
        CAPTURE(row.wire);
        const auto parsed = parley::error_code_from_string(row.wire);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == row.code);
    }
}

TEST_CASE("all_error_codes lists the twelve codes once each, in the protocol's order") {
    REQUIRE(std::size(parley::all_error_codes) == std::size(spellings));
    std::set<error_code> seen;
    for (std::size_t i = 0; i < std::size(spellings); ++i) {
        CAPTURE(i);
        CHECK(parley::all_error_codes[i] == spellings[i].code);
        seen.insert(parley::all_error_codes[i]);
    }
    CHECK(seen.size() == 12);
}

TEST_CASE("to_string and error_code_from_string round trip for every code") {
    for (const error_code code : parley::all_error_codes) {
        const auto wire = parley::to_string(code);
        CAPTURE(wire);
        const auto back = parley::error_code_from_string(wire);
        REQUIRE(back.has_value());
        CHECK(*back == code);
    }
}

TEST_CASE("error_code_from_string refuses spellings the protocol does not define") {
    constexpr std::string_view unknown[] = {
        "", "bogus", "Invalid_JSON", "INVALID_JSON", "invalid_json ", " invalid_json",
        "invalid-json", "too long", "rate_limit", "server_error\n",
    };
    for (const auto text : unknown) {
        CAPTURE(text);
        CHECK_FALSE(parley::error_code_from_string(text).has_value());
    }
    // A NUL inside the spelling must not be read as the end of it.
    CHECK_FALSE(parley::error_code_from_string(std::string_view("forbidden\0x", 11)).has_value());
}

TEST_CASE("only malformed-frame codes count toward the 1008 error budget") {
    static_assert(parley::counts_toward_error_budget(error_code::invalid_json));
    static_assert(!parley::counts_toward_error_budget(error_code::rate_limited));
    for (const error_code code : parley::all_error_codes) {
        CAPTURE(parley::to_string(code));
        const bool malformed = code == error_code::invalid_json ||
                               code == error_code::invalid_message ||
                               code == error_code::unknown_type;
        CHECK(parley::counts_toward_error_budget(code) == malformed);
    }
}
