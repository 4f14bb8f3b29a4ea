#include "http/query.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <vector>

using parley::server::find_param;
using parley::server::parse_canonical_decimal;
using parley::server::parse_query;
using parley::server::target_query;

TEST_CASE("target_query is what follows the first '?' up to a '#', and nothing when a '#' comes first") {
    CHECK(target_query("/general?since=5") == "since=5");
    CHECK(target_query("/general?since=5#top") == "since=5");
    CHECK(target_query("/general?a=1?b=2") == "a=1?b=2");
    CHECK(target_query("/general") == "");
    CHECK(target_query("/general?") == "");
    // A '?' inside the fragment starts no query: the path ended at the '#'.
    CHECK(target_query("/general#top?since=5") == "");
    CHECK(target_query("#?since=5") == "");
}

TEST_CASE("parse_query splits by parameter and percent-decodes names and values") {
    auto params = parse_query("since=10&token=ab%20c&flag&&x=a=b&%73ince2=%41");
    REQUIRE(params);
    REQUIRE(params->size() == 5);
    CHECK((*params)[0].name == "since");
    CHECK((*params)[0].value == "10");
    CHECK((*params)[1].value == "ab c");
    CHECK((*params)[2].name == "flag");
    CHECK((*params)[2].value == "");
    CHECK((*params)[3].name == "x");
    CHECK((*params)[3].value == "a=b");  // split on the first '=' only
    CHECK((*params)[4].name == "since2");
    CHECK((*params)[4].value == "A");
    // '+' is not a space in a URI query.
    CHECK(find_param(*parse_query("t=a+b"), "t").value == "a+b");
    CHECK(parse_query("")->empty());
}

TEST_CASE("parse_query refuses a malformed escape") {
    for (const char* bad : {"a=%", "a=%4", "a=%zz", "%=1", "a=1&b=%g1", "a=%%41"}) {
        CAPTURE(bad);
        CHECK(!parse_query(bad));
    }
}

TEST_CASE("find_param matches whole names only and counts repeats") {
    const auto params = *parse_query("nolimit=5&limits=3&since=1&since=2");
    CHECK(find_param(params, "limit").count == 0);
    CHECK(find_param(params, "since").count == 2);
    CHECK(find_param(params, "since").value == "1");
    CHECK(find_param(params, "nolimit").count == 1);
    CHECK(find_param(params, "nolimit").value == "5");
}

TEST_CASE("parse_canonical_decimal takes digits only, without sign or leading zeros") {
    constexpr std::int64_t max = 9007199254740991LL;
    CHECK(parse_canonical_decimal("0", max) == 0);
    CHECK(parse_canonical_decimal("7", max) == 7);
    CHECK(parse_canonical_decimal("1234567890", max) == 1234567890);
    CHECK(parse_canonical_decimal("9007199254740991", max) == max);
    CHECK(parse_canonical_decimal("9223372036854775807", std::numeric_limits<std::int64_t>::max()) ==
          std::numeric_limits<std::int64_t>::max());
    for (const char* bad :
         {"", "-0", "+0", "-1", "+1", "00", "007", "01", "1.0", "1e3", " 1", "1 ", "0x10", "١",
          "9007199254740992", "9223372036854775808", "99999999999999999999", "18446744073709551616"}) {
        CAPTURE(bad);
        CHECK(!parse_canonical_decimal(bad, max));
    }
    CHECK(!parse_canonical_decimal("9223372036854775808", std::numeric_limits<std::int64_t>::max()));
}
