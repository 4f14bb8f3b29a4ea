#pragma once
// What ImGui's stb_truetype means by a font's "pixel size": the height from the hhea
// ascender to the descender, not the em. Glyphs from other fonts are sized by the em so
// that a CJK ideograph or an emoji sits beside a Latin letter as the fonts' designers
// intended; this converts one into the other.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>

namespace parley::text {

/// (ascender - descender) / unitsPerEm of an OpenType/TrueType font's bytes, from its
/// `hhea` and `head` tables; nothing if they are missing or malformed.
std::optional<float> line_span_in_em(std::span<const std::uint8_t> font);

/// The same for a font file; nothing if it cannot be read.
std::optional<float> line_span_in_em(const std::filesystem::path& font_file);

}  // namespace parley::text
