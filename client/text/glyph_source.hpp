#pragma once
// Where glyphs the UI font lacks come from: the system's fonts, asked one code point at a
// time. Natively fontconfig picks the font and FreeType rasterises it (colour emoji
// included); in the browser the page's own canvas text rendering draws it, with whatever
// fonts the browser has, so the bundle carries none of them. Plain C++: no ImGui here.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace parley::text {

/// One rasterised glyph. Pixels are 4 bytes each (R, G, B, A, not premultiplied), row by
/// row from the top; a monochrome glyph is white with its coverage in alpha, so the text
/// colour tints it; a colour glyph (emoji) is drawn untinted.
struct glyph_image {
    int width = 0;
    int height = 0;
    int left = 0;          ///< from the pen position to the bitmap's left edge, pixels
    int top = 0;           ///< from the baseline up to the bitmap's top row, pixels
    float advance = 0.0f;  ///< how far the pen moves, pixels
    bool colour = false;
    std::vector<std::uint8_t> rgba;  ///< width * height * 4 bytes
};

/// Rasterises code points the UI font does not have. Main thread only.
class glyph_source {
public:
    virtual ~glyph_source() = default;
    /// `code_point` drawn with an em of `em_px` pixels, or nothing when no font has it
    /// (the atlas then draws the missing-glyph box). A glyph with nothing to draw (a space
    /// of another script) has an empty bitmap and its advance.
    virtual std::optional<glyph_image> render(char32_t code_point, float em_px) = 0;
};

/// The platform's source: fontconfig + FreeType natively, canvas text in the browser.
std::unique_ptr<glyph_source> make_system_glyph_source();

}  // namespace parley::text
