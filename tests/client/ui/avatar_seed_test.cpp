#include "avatar_atlas.hpp"

#include <doctest/doctest.h>

TEST_CASE("avatar seed is FNV-1a of the folded name") {
    // FNV-1a 32 of "ann": the shader's input must be the same on every platform.
    CHECK(parley::ui::avatar_seed("ann") == 0x1529cc18u);
    CHECK(parley::ui::avatar_seed("") == 2166136261u);
}

TEST_CASE("names differing only in case get the same avatar") {
    CHECK(parley::ui::avatar_seed("Ann") == parley::ui::avatar_seed("ann"));
    CHECK(parley::ui::avatar_seed("ann") != parley::ui::avatar_seed("bob"));
}
