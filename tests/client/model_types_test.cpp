#include "model/model_types.hpp"

#include <doctest/doctest.h>

using namespace parley::client;

TEST_CASE("describe_typing names one or two typists and counts more") {
    CHECK(describe_typing({}) == "");
    CHECK(describe_typing({{"ann", 1}}) == "ann is typing\xE2\x80\xA6");
    CHECK(describe_typing({{"ann", 1}, {"bob", 1}}) == "ann and bob are typing\xE2\x80\xA6");
    CHECK(describe_typing({{"ann", 1}, {"bob", 1}, {"cy", 1}}) == "3 people are typing\xE2\x80\xA6");
}

TEST_CASE("connection states have readable names") {
    CHECK(to_string(connection_state::reconnecting) == "reconnecting");
    CHECK(to_string(connection_state::ready) == "ready");
    CHECK(to_string(connection_state::offline) == "offline");
}
