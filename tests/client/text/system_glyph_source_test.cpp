// The desktop's glyph source against Debian's fonts (fonts-noto-core, fonts-noto-cjk,
// fonts-noto-color-emoji, fonts-dejavu-core; scripts/debian-packages.txt): each script of
// the test message has a glyph of about the em's size, emoji in colour.

#include "glyph_source.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using parley::text::glyph_image;

namespace {

/// Whether any pixel of `image` is lit (alpha above half).
bool has_ink(const glyph_image& image) {
    for (std::size_t i = 3; i < image.rgba.size(); i += 4)
        if (image.rgba[i] > 128) return true;
    return false;
}

/// Whether some lit pixel is clearly not grey: a colour glyph, not a tinted mask.
bool has_hue(const glyph_image& image) {
    for (std::size_t i = 0; i + 3 < image.rgba.size(); i += 4) {
        if (image.rgba[i + 3] < 128) continue;
        const auto [lo, hi] = std::minmax({image.rgba[i], image.rgba[i + 1], image.rgba[i + 2]});
        if (hi - lo > 60) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("the system's fonts draw CJK, Hangul, Arabic, Hebrew and Thai at the em's size") {
    auto source = parley::text::make_system_glyph_source();
    const float em = 20.0f;
    for (char32_t c : {U'你', U'こ', U'안', U'م', U'ש', U'ก', U'é'}) {
        CAPTURE(static_cast<unsigned>(c));
        const auto image = source->render(c, em);
        REQUIRE(image);
        CHECK_FALSE(image->colour);
        CHECK(has_ink(*image));
        CHECK(image->advance > 0.2f * em);
        CHECK(image->advance < 1.3f * em);
        CHECK(image->height <= static_cast<int>(1.3f * em));
        // Monochrome glyphs are white: the text colour tints them.
        for (std::size_t i = 0; i < image->rgba.size(); i += 4) REQUIRE(image->rgba[i] == 255);
    }
    // Ideographs are an em wide.
    const auto ni = source->render(U'你', em);
    REQUIRE(ni);
    CHECK(ni->advance == doctest::Approx(em).epsilon(0.05));
}

TEST_CASE("emoji come from a colour font, scaled to the em") {
    auto source = parley::text::make_system_glyph_source();
    const float em = 20.0f;
    for (char32_t c : {U'\U0001F389', U'\U0001F44D'}) {
        CAPTURE(static_cast<unsigned>(c));
        const auto image = source->render(c, em);
        REQUIRE(image);
        CHECK(image->colour);
        CHECK(has_hue(*image));
        CHECK(image->width <= static_cast<int>(1.5f * em));
        CHECK(image->height <= static_cast<int>(1.5f * em));
        CHECK(image->advance == doctest::Approx(1.17f * em).epsilon(0.2));
    }
}

TEST_CASE("a code point that no font has gives nothing, so the atlas draws the box") {
    auto source = parley::text::make_system_glyph_source();
    CHECK_FALSE(source->render(0x0378, 20.0f));    // unassigned, in the Greek block
    CHECK_FALSE(source->render(0x10FFFD, 20.0f));  // private use, plane 16
}
