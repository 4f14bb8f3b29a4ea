// Query parameters of /api targets: looked up by name after splitting and decoding, and
// numbers taken only in canonical form (issue 11: `?nolimit=5` set the limit).
#include "http/api.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using parley::server::canonical_number;
using parley::server::find_query_parameter;

TEST_CASE("query parameters are found by their whole name, not by a substring") {
    CHECK_FALSE(find_query_parameter("/api/audit?nolimit=5", "limit").value);
    CHECK_FALSE(find_query_parameter("/api/audit?x=limit=5", "limit").value);
    CHECK_FALSE(find_query_parameter("/api/audit?limits=5", "limit").value);
    CHECK_FALSE(find_query_parameter("/api/audit", "limit").value);
    CHECK_FALSE(find_query_parameter("/api/audit?", "limit").value);
    CHECK(find_query_parameter("/api/audit?limit=5", "limit").value == std::optional<std::string>("5"));
    CHECK(find_query_parameter("/api/audit?a=1&limit=7&b", "limit").value == std::optional<std::string>("7"));
    CHECK(find_query_parameter("/api/audit?&&limit=7&", "limit").value == std::optional<std::string>("7"));
    CHECK(find_query_parameter("/api/audit?limit", "limit").value == std::optional<std::string>(""));
    CHECK(find_query_parameter("/api/audit?limit=5#frag", "limit").value == std::optional<std::string>("5"));
}

TEST_CASE("query names and values are percent-decoded; bad escapes and repeats are malformed") {
    CHECK(find_query_parameter("/api/audit?%6cimit=%35", "limit").value == std::optional<std::string>("5"));
    CHECK(find_query_parameter("/api/audit?q=a+b%20c", "q").value == std::optional<std::string>("a b c"));
    CHECK(find_query_parameter("/api/audit?limit=5%2", "limit").ok == false);
    CHECK(find_query_parameter("/api/audit?limit=%zz", "limit").ok == false);
    CHECK(find_query_parameter("/api/audit?other=%", "limit").ok == false);
    CHECK(find_query_parameter("/api/audit?limit=1&limit=2", "limit").ok == false);
    CHECK(find_query_parameter("/api/audit?limit=1&%6cimit=1", "limit").ok == false);
    CHECK(find_query_parameter("/api/audit?limit=1&other=2", "limit").ok);
}

TEST_CASE("numbers are taken only in canonical decimal form") {
    CHECK(canonical_number("0") == std::optional<std::int64_t>(0));
    CHECK(canonical_number("5") == std::optional<std::int64_t>(5));
    CHECK(canonical_number("1000") == std::optional<std::int64_t>(1000));
    CHECK(canonical_number("999999999999999999") == std::optional<std::int64_t>(999'999'999'999'999'999));
    for (const char* bad : {"", "05", "00", "+5", "-5", "-0", " 5", "5 ", "5x", "0x10", "1e3", "1.0",
                            "1000000000000000000"})
        CHECK_MESSAGE(!canonical_number(bad), bad);
}
