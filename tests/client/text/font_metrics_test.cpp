#include "font_metrics.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <vector>

using parley::text::line_span_in_em;

namespace {

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    put16(b, at, static_cast<std::uint16_t>(v >> 16));
    put16(b, at + 2, static_cast<std::uint16_t>(v));
}

/// A font file holding only a `head` and an `hhea` table, as the metrics read them.
std::vector<std::uint8_t> font_with(std::uint16_t units_per_em, std::int16_t ascender,
                                    std::int16_t descender) {
    constexpr std::size_t head_at = 12 + 2 * 16;
    constexpr std::size_t hhea_at = head_at + 54;
    std::vector<std::uint8_t> b(hhea_at + 36, 0);
    put32(b, 0, 0x00010000);
    put16(b, 4, 2);
    const char tags[2][5] = {"head", "hhea"};
    const std::size_t offsets[2] = {head_at, hhea_at};
    const std::size_t lengths[2] = {54, 36};
    for (std::size_t i = 0; i < 2; ++i) {
        const std::size_t record = 12 + i * 16;
        for (std::size_t c = 0; c < 4; ++c) b[record + c] = static_cast<std::uint8_t>(tags[i][c]);
        put32(b, record + 8, static_cast<std::uint32_t>(offsets[i]));
        put32(b, record + 12, static_cast<std::uint32_t>(lengths[i]));
    }
    put16(b, head_at + 18, units_per_em);
    put16(b, hhea_at + 4, static_cast<std::uint16_t>(ascender));
    put16(b, hhea_at + 6, static_cast<std::uint16_t>(descender));
    return b;
}

}  // namespace

TEST_CASE("a font's line span is its ascender minus its descender, in ems") {
    const auto font = font_with(2048, 1901, -483);
    const auto span = line_span_in_em(std::span<const std::uint8_t>(font));
    REQUIRE(span);
    CHECK(*span == doctest::Approx((1901.0 + 483.0) / 2048.0));
}

TEST_CASE("a font without its tables, or with impossible ones, has no span") {
    CHECK_FALSE(line_span_in_em(std::span<const std::uint8_t>()));
    std::vector<std::uint8_t> truncated = font_with(1000, 800, -200);
    truncated.resize(truncated.size() - 10);  // hhea cut short
    CHECK_FALSE(line_span_in_em(std::span<const std::uint8_t>(truncated)));
    const auto zero_em = font_with(0, 800, -200);
    CHECK_FALSE(line_span_in_em(std::span<const std::uint8_t>(zero_em)));
    const auto upside_down = font_with(1000, -200, 800);
    CHECK_FALSE(line_span_in_em(std::span<const std::uint8_t>(upside_down)));
    CHECK_FALSE(line_span_in_em(std::filesystem::path("/nonexistent/font.ttf")));
}

TEST_CASE("DejaVu Sans, the UI font, spans 1.164 em from ascender to descender") {
    const std::filesystem::path dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    REQUIRE(std::filesystem::exists(dejavu));
    const auto span = line_span_in_em(dejavu);
    REQUIRE(span);
    CHECK(*span == doctest::Approx(1.164).epsilon(0.002));
}
