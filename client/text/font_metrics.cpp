#include "font_metrics.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

namespace parley::text {
namespace {

std::uint32_t read_u32(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
           static_cast<std::uint32_t>(b[at + 2]) << 8 | static_cast<std::uint32_t>(b[at + 3]);
}
std::uint16_t read_u16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

/// The bytes of table `tag`, or an empty span.
std::span<const std::uint8_t> find_table(std::span<const std::uint8_t> font, std::string_view tag) {
    constexpr std::size_t header = 12;
    constexpr std::size_t record = 16;
    if (font.size() < header) return {};
    const std::size_t tables = read_u16(font, 4);
    for (std::size_t i = 0; i < tables; ++i) {
        const std::size_t at = header + i * record;
        if (at + record > font.size()) return {};
        if (std::memcmp(font.data() + at, tag.data(), 4) != 0) continue;
        const std::size_t offset = read_u32(font, at + 8);
        const std::size_t length = read_u32(font, at + 12);
        if (offset > font.size() || length > font.size() - offset) return {};
        return font.subspan(offset, length);
    }
    return {};
}

}  // namespace

std::optional<float> line_span_in_em(std::span<const std::uint8_t> font) {
    const auto head = find_table(font, "head");
    const auto hhea = find_table(font, "hhea");
    if (head.size() < 54 || hhea.size() < 36) return std::nullopt;
    const std::uint16_t units_per_em = read_u16(head, 18);
    const auto ascender = static_cast<std::int16_t>(read_u16(hhea, 4));
    const auto descender = static_cast<std::int16_t>(read_u16(hhea, 6));
    const int span = ascender - descender;
    if (units_per_em == 0 || span <= 0) return std::nullopt;
    return static_cast<float>(span) / static_cast<float>(units_per_em);
}

std::optional<float> line_span_in_em(const std::filesystem::path& font_file) {
    std::ifstream in(font_file, std::ios::binary);
    if (!in) return std::nullopt;
    // The tables needed sit near the start, but their offsets may point anywhere.
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return line_span_in_em(std::span<const std::uint8_t>(bytes));
}

}  // namespace parley::text
