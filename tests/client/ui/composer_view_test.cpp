#include "composer_view.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using parley::client::post_result;
using parley::client::test::harness;

TEST_CASE("length note stays hidden well within the limit") {
    CHECK(parley::ui::describe_length(0).empty());
    CHECK(parley::ui::describe_length(3500).empty());
}

TEST_CASE("length note counts near the limit and says by how much a text is over") {
    CHECK(parley::ui::describe_length(3990) == "3,990 / 4,000");
    CHECK(parley::ui::describe_length(4012) == "4,012 / 4,000 \xE2\x80\x94 too long by 12");
}

TEST_CASE("an over-long post is refused with the limit as the reason") {
    harness h;
    h.connect_ready();
    const post_result result = h.model.post_message(std::string(4001, 'x'), h.now);
    REQUIRE(result == post_result::too_long);
    CHECK(parley::ui::describe_refusal(result, h.model) ==
          "Not sent: messages are limited to 4,000 characters.");
}

TEST_CASE("a blank Enter is no refusal, a sent message none either") {
    harness h;
    h.connect_ready();
    CHECK(parley::ui::describe_refusal(h.model.post_message("   ", h.now), h.model).empty());
    CHECK(parley::ui::describe_refusal(h.model.post_message("hello", h.now), h.model).empty());
}

TEST_CASE("text with control characters is refused with the model's reason") {
    harness h;
    h.connect_ready();
    const post_result result = h.model.post_message(std::string("bell\x07"), h.now);
    REQUIRE(result == post_result::invalid);
    CHECK(parley::ui::describe_refusal(result, h.model) == "Not sent: the text contains control characters.");
}
