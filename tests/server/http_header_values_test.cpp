#include "http/header_values.hpp"

#include <doctest/doctest.h>

using parley::server::accepts_gzip;
using parley::server::if_none_match_matches;

TEST_CASE("accept-encoding allows gzip only with a positive q") {
    const struct {
        const char* value;
        bool gzip;
    } cases[] = {
        {"gzip", true},
        {"gzip, deflate, br", true},
        {"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
        {"GZIP", true},
        {"x-gzip", true},
        {"gzip;q=0.001", true},
        {" deflate , gzip ", true},
        {"*", true},
        {"gzip;q=0", false},
        {"gzip;q=0.0", false},
        {"gzip;q=0.000", false},
        {"gzip; q=0", false},
        {"gzip;Q=0", false},
        {"*;q=0", false},
        {"gzip;q=0, *", false},  // the explicit refusal wins over the wildcard
        {"*, gzip;q=0", false},
        {"identity", false},
        {"deflate, br", false},
        {"", false},
        {"gzip;q=abc", false},  // malformed q reads as "no"
        {"gzip;q=1.5", false},
        {"gzip;q=0.0001", false},
        {"gzipx", false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.value);
        CHECK(accepts_gzip(c.value) == c.gzip);
    }
}

TEST_CASE("if-none-match compares entity tags weakly and honours the wildcard") {
    const char* tag = "\"0123abcd\"";
    CHECK(if_none_match_matches("\"0123abcd\"", tag));
    CHECK(if_none_match_matches("W/\"0123abcd\"", tag));
    CHECK(if_none_match_matches("\"other\", \"0123abcd\"", tag));
    CHECK(if_none_match_matches("\"other\",W/\"0123abcd\"", tag));
    CHECK(if_none_match_matches(" * ", tag));
    CHECK_FALSE(if_none_match_matches("\"0123abce\"", tag));
    CHECK_FALSE(if_none_match_matches("0123abcd", tag));  // unquoted is malformed
    CHECK_FALSE(if_none_match_matches("\"0123abcd", tag));
    CHECK_FALSE(if_none_match_matches("", tag));
    CHECK_FALSE(if_none_match_matches("\"\"", tag));
}
