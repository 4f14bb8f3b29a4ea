#pragma once
// The UI font's atlas, grown as text arrives. Dear ImGui 1.86 builds its atlas once, from
// glyph ranges fixed up front; a chat in every script cannot know its code points up
// front, and rasterising all of CJK would take seconds and hundreds of megabytes. So the
// atlas keeps an empty area of its texture, and every code point the UI font lacks is
// rasterised by the system (a glyph_source) the first time text containing it is about
// to be measured or drawn, packed into that area and added to the font, in the same
// frame. Only the texture rows that changed are uploaded.
//
// A code point no font has is drawn as a box (the missing-glyph "tofu"), never as '?',
// which a reader would take for the sender's text; so is every code point not yet
// ensured, for the one frame it might take. When the area is full, the next frame
// rebuilds the font and starts the area afresh (generation() changes: text measured
// before must be measured again).

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "glyph_source.hpp"

struct ImFont;
struct ImFontAtlas;

namespace parley::text {

/// Texture rows [first, end) of the atlas's RGBA image that changed.
struct texture_rows {
    int first = 0;
    int end = 0;
};

/// What the atlas has done, for the state probe and the benchmarks.
struct glyph_atlas_stats {
    std::uint64_t added = 0;     ///< glyphs rasterised into the area
    std::uint64_t missing = 0;   ///< code points no font has (drawn as the box)
    std::uint64_t rebuilds = 0;  ///< times the area filled up and started again
    double rasterise_ms = 0.0;   ///< time spent in the glyph source, all told
};

/// Main thread only, inside an ImGui context.
class glyph_atlas {
public:
    /// The code point the missing-glyph box is filed under: a noncharacter, which no
    /// text should carry, and which ImGui's 32-bit ImWchar can index.
    static constexpr char32_t missing_box = 0xFFFF;

    explicit glyph_atlas(std::unique_ptr<glyph_source> source);

    /// Before ImFontAtlas::Build: asks for an area of `area_height` rows across a texture
    /// `texture_width` wide (a power of two) for glyphs added later.
    void prepare(ImFontAtlas& atlas, int texture_width, int area_height);

    /// After Build (and before the texture is first uploaded): new glyphs join `font`,
    /// rasterised with an em of `em_px` pixels. Draws the box and makes it the fallback.
    void attach(ImFont& font, float em_px);

    /// Makes every code point of `utf8` drawable by the font: rasterised now when new, the
    /// box when no font has it. Cheap for text whose glyphs are all there.
    void ensure(std::string_view utf8);

    /// The texture rows changed since the last call, to upload before drawing; nothing if
    /// none.
    std::optional<texture_rows> take_changed_rows();

    /// The area filled up: rebuild the fonts (prepare, Build, attach) before the next frame.
    bool wants_rebuild() const { return full_; }

    /// Changes with every attach: widths measured before may differ now.
    std::uint32_t generation() const { return generation_; }

    const glyph_atlas_stats& stats() const { return stats_; }

private:
    bool has_glyph(char32_t code_point) const;
    void add(char32_t code_point);
    /// Adds a glyph to the font and its lookup tables (ImGui's own rebuild of them walks
    /// every code point up to the highest: too slow to run for each new glyph).
    void add_to_font(char32_t code_point, float x0, float y0, float x1, float y1, float u0, float v0,
                     float u1, float v1, float advance, bool colour);
    /// A place for a `width` x `height` bitmap in the area, or nothing when it is full.
    std::optional<std::pair<int, int>> place(int width, int height);
    void write(int x, int y, const glyph_image& image);
    void draw_missing_box();

    std::unique_ptr<glyph_source> source_;
    ImFontAtlas* atlas_ = nullptr;
    ImFont* font_ = nullptr;
    int area_rect_ = -1;  ///< the area's custom rect in the atlas
    float em_px_ = 0.0f;
    // The area, in texture pixels, and the shelf being filled.
    int area_x_ = 0, area_y_ = 0, area_width_ = 0, area_height_ = 0;
    int shelf_x_ = 0, shelf_y_ = 0, shelf_height_ = 0;
    unsigned char* pixels_ = nullptr;  ///< the atlas's RGBA image (4 bytes a pixel), owned by ImGui
    int texture_width_ = 0, texture_height_ = 0;
    std::optional<texture_rows> changed_;
    bool full_ = false;
    bool ascii_complete_ = false;  ///< the font has every printable ASCII character
    std::uint32_t generation_ = 0;
    glyph_atlas_stats stats_;
};

/// Code points that draw nothing and take no room: joiners, variation selectors, bidi
/// controls, tags. Shown as nothing rather than as boxes (UAX #44 Default_Ignorable).
bool is_default_ignorable(char32_t code_point);

}  // namespace parley::text
