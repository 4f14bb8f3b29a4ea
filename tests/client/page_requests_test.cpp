#include "model/page_requests.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using namespace parley;
using namespace parley::client;
using parley::client::test::msgs;

TEST_CASE("page_fits: a scroll-back page is older than its anchor, a resume page newer") {
    const page_request before{page_kind::before, "n1", 101};
    const page_request after{page_kind::after, "n2", 350};
    const page_request since{page_kind::join_since, "n3", 8};
    const page_request join{page_kind::join, "n4", 0};
    CHECK(page_fits(before, msgs(51, 100, "c")));
    CHECK_FALSE(page_fits(before, msgs(351, 400, "c")));
    CHECK(page_fits(after, msgs(351, 400, "c")));
    CHECK_FALSE(page_fits(after, msgs(51, 100, "c")));
    CHECK(page_fits(since, msgs(8, 11, "c")));  // a resume may overlap the screen
    CHECK(page_fits(join, msgs(1, 3, "c")));
    for (const page_request& any : {before, after, since, join}) CHECK(page_fits(any, {}));
}

TEST_CASE("take_answer takes the oldest request the page fits, else the oldest") {
    page_requests out;
    out.expect({page_kind::after, "a", 350});
    out.expect({page_kind::before, "b", 101});
    auto taken = out.take_answer(msgs(51, 100, "c"));
    REQUIRE(taken);
    CHECK(taken->nonce == "b");
    REQUIRE(out.outstanding().size() == 1);
    CHECK(out.outstanding()[0].nonce == "a");

    out.expect({page_kind::before, "c", 51});
    taken = out.take_answer({});  // an empty page fits both: the oldest
    REQUIRE(taken);
    CHECK(taken->nonce == "a");
    taken = out.take_answer(msgs(400, 401, "c"));  // fits none: the oldest
    REQUIRE(taken);
    CHECK(taken->nonce == "c");
    CHECK_FALSE(out.take_answer({}));
}

TEST_CASE("take_ref takes the request an error names, and never the URL's join") {
    page_requests out;
    out.expect({page_kind::join_since, "", 8});
    out.expect({page_kind::before, "b", 101});
    CHECK_FALSE(out.take_ref(""));
    CHECK_FALSE(out.take_ref("x"));
    auto taken = out.take_ref("b");
    REQUIRE(taken);
    CHECK(taken->kind == page_kind::before);
    REQUIRE(out.outstanding().size() == 1);
    CHECK(out.outstanding()[0].kind == page_kind::join_since);
}
