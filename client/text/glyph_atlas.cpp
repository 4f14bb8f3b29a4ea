#include "glyph_atlas.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8: the same decoding ImGui draws with

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>

namespace parley::text {
namespace {

/// Pixels kept clear around each glyph, so bilinear sampling never bleeds a neighbour in.
constexpr int padding = 1;

}  // namespace

bool is_default_ignorable(char32_t c) {
    return c == 0x00AD || c == 0x034F || c == 0x061C || (c >= 0x115F && c <= 0x1160) ||
           (c >= 0x17B4 && c <= 0x17B5) || (c >= 0x180B && c <= 0x180F) || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0x3164 ||
           (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8) ||
           (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) || (c >= 0xE0000 && c <= 0xE0FFF);
}

glyph_atlas::glyph_atlas(std::unique_ptr<glyph_source> source) : source_(std::move(source)) {}

void glyph_atlas::prepare(ImFontAtlas& atlas, int texture_width, int area_height) {
    atlas_ = &atlas;
    font_ = nullptr;
    pixels_ = nullptr;
    // Room for the area beside ImGui's own glyphs; the height is not rounded up to a
    // power of two (WebGL2 and OpenGL 3 take any size), which would double it.
    atlas.TexDesiredWidth = texture_width;
    atlas.Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
    area_rect_ =
        atlas.AddCustomRectRegular(texture_width - 2 * std::max(atlas.TexGlyphPadding, 1), area_height);
}

void glyph_atlas::attach(ImFont& font, float em_px) {
    font_ = &font;
    em_px_ = em_px;
    if (full_) ++stats_.rebuilds;
    full_ = false;
    ++generation_;
    changed_.reset();
    int width = 0;
    int height = 0;
    atlas_->GetTexDataAsRGBA32(&pixels_, &width, &height);
    texture_width_ = width;
    texture_height_ = height;
    const ImFontAtlasCustomRect* area = atlas_->GetCustomRectByIndex(area_rect_);
    area_x_ = area->X;
    area_y_ = area->Y;
    area_width_ = area->Width;
    area_height_ = area->Height;
    shelf_x_ = shelf_y_ = shelf_height_ = 0;
    ascii_complete_ = true;
    for (char32_t c = 0x20; c < 0x7F; ++c) ascii_complete_ = ascii_complete_ && has_glyph(c);
    draw_missing_box();
    // Whatever has no glyph (or has none yet) is now drawn, and measured, as the box.
    const ImFontGlyph* box = font.FindGlyphNoFallback(static_cast<ImWchar>(missing_box));
    if (!box) return;  // an area too small for even the box: ImGui's own fallback stays
    const float old_fallback = font.FallbackAdvanceX;
    font.FallbackChar = static_cast<ImWchar>(missing_box);
    font.FallbackGlyph = box;
    font.FallbackAdvanceX = box->AdvanceX;
    for (int i = 0; i < font.IndexLookup.Size; ++i)
        if (font.IndexLookup[i] == static_cast<ImWchar>(-1) && font.IndexAdvanceX[i] == old_fallback)
            font.IndexAdvanceX[i] = font.FallbackAdvanceX;
    // The whole texture is uploaded after a build; nothing is pending.
    changed_.reset();
}

void glyph_atlas::draw_missing_box() {
    glyph_image box;
    box.width = std::max(3, static_cast<int>(std::lround(em_px_ * 0.5f)));
    box.height = std::max(4, static_cast<int>(std::lround(em_px_ * 0.72f)));
    box.top = box.height;
    box.left = std::max(1, static_cast<int>(std::lround(em_px_ * 0.08f)));
    box.advance = static_cast<float>(box.width + 2 * box.left);
    const int stroke = std::max(1, static_cast<int>(std::lround(em_px_ / 14.0f)));
    box.rgba.assign(static_cast<std::size_t>(box.width * box.height) * 4, 0);
    for (int y = 0; y < box.height; ++y)
        for (int x = 0; x < box.width; ++x) {
            const bool edge = x < stroke || y < stroke || x >= box.width - stroke || y >= box.height - stroke;
            if (!edge) continue;
            std::uint8_t* p = &box.rgba[static_cast<std::size_t>(y * box.width + x) * 4];
            p[0] = p[1] = p[2] = p[3] = 255;
        }
    const auto at = place(box.width, box.height);
    if (!at) return;
    write(at->first, at->second, box);
    const float y0 = std::round(font_->Ascent) - static_cast<float>(box.top);
    const float tw = static_cast<float>(texture_width_);
    const float th = static_cast<float>(texture_height_);
    add_to_font(missing_box, static_cast<float>(box.left), y0, static_cast<float>(box.left + box.width),
                y0 + static_cast<float>(box.height), static_cast<float>(at->first) / tw,
                static_cast<float>(at->second) / th, static_cast<float>(at->first + box.width) / tw,
                static_cast<float>(at->second + box.height) / th, box.advance, false);
}

bool glyph_atlas::has_glyph(char32_t c) const {
    return c < static_cast<char32_t>(font_->IndexLookup.Size) &&
           font_->IndexLookup[static_cast<int>(c)] != static_cast<ImWchar>(-1);
}

void glyph_atlas::ensure(std::string_view utf8) {
    if (!font_ || full_) return;
    const char* p = utf8.data();
    const char* end = p + utf8.size();
    while (p < end) {
        // Most text is mostly ASCII, which the UI font has whole: eight bytes at a time.
        if (ascii_complete_) {
            std::uint64_t eight = 0;
            if (end - p >= 8 && (std::memcpy(&eight, p, 8), (eight & 0x8080808080808080u) == 0)) {
                p += 8;
                continue;
            }
            if (static_cast<unsigned char>(*p) < 0x80) {
                ++p;
                continue;
            }
        }
        unsigned int c = 0;
        const int n = ImTextCharFromUtf8(&c, p, end);
        p += n > 0 ? n : 1;
        // Controls are laid out, not drawn; '\t' and '\n' ImGui handles itself.
        if (c < 0x20 || (c >= 0x7F && c < 0xA0)) continue;
        if (has_glyph(c)) continue;
        add(c);
        if (full_) return;
    }
}

void glyph_atlas::add(char32_t c) {
    if (is_default_ignorable(c)) {
        add_to_font(c, 0, 0, 0, 0, 0, 0, 0, 0, 0.0f, false);
        return;
    }
    const auto started = std::chrono::steady_clock::now();
    std::optional<glyph_image> image = source_ ? source_->render(c, em_px_) : std::nullopt;
    stats_.rasterise_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (!image) {
        // No font has it: the box, with the box's own size, filed under this code point.
        const ImFontGlyph* box = font_->FindGlyphNoFallback(static_cast<ImWchar>(missing_box));
        if (!box) return;
        const ImFontGlyph copy = *box;
        add_to_font(c, copy.X0, copy.Y0, copy.X1, copy.Y1, copy.U0, copy.V0, copy.U1, copy.V1, copy.AdvanceX,
                    false);
        ++stats_.missing;
        return;
    }
    const float y0 = std::round(font_->Ascent) - static_cast<float>(image->top);
    if (image->width <= 0 || image->height <= 0) {
        add_to_font(c, 0, 0, 0, 0, 0, 0, 0, 0, image->advance, false);
        ++stats_.added;
        return;
    }
    const auto at = place(image->width, image->height);
    if (!at) {
        // Drawn as the box (the fallback) until the rebuild the next frame makes.
        full_ = true;
        return;
    }
    write(at->first, at->second, *image);
    const float tw = static_cast<float>(texture_width_);
    const float th = static_cast<float>(texture_height_);
    const float x0 = static_cast<float>(image->left);
    add_to_font(c, x0, y0, x0 + static_cast<float>(image->width), y0 + static_cast<float>(image->height),
                static_cast<float>(at->first) / tw, static_cast<float>(at->second) / th,
                static_cast<float>(at->first + image->width) / tw,
                static_cast<float>(at->second + image->height) / th, image->advance, image->colour);
    ++stats_.added;
}

void glyph_atlas::add_to_font(char32_t c, float x0, float y0, float x1, float y1, float u0, float v0,
                              float u1, float v1, float advance, bool colour) {
    ImFont& font = *font_;
    font.AddGlyph(nullptr, static_cast<ImWchar>(c), x0, y0, x1, y1, u0, v0, u1, v1, advance);
    font.Glyphs.back().Colored = colour ? 1 : 0;
    const int index = static_cast<int>(c);
    const int old_size = font.IndexLookup.Size;
    if (index >= old_size) {
        font.GrowIndex(index + 1);
        for (int i = old_size; i < font.IndexAdvanceX.Size; ++i)
            font.IndexAdvanceX[i] = font.FallbackAdvanceX;
    }
    font.IndexLookup[index] = static_cast<ImWchar>(font.Glyphs.Size - 1);
    font.IndexAdvanceX[index] = advance;
    const int page = index / 4096;
    font.Used4kPagesMap[page >> 3] |= static_cast<ImU8>(1 << (page & 7));
    // Glyphs may have moved in memory; the lookup tables are current.
    font.FallbackGlyph = font.FindGlyphNoFallback(font.FallbackChar);
    font.DirtyLookupTables = false;
}

std::optional<std::pair<int, int>> glyph_atlas::place(int width, int height) {
    const int w = width + padding;
    const int h = height + padding;
    if (w > area_width_ || h > area_height_) return std::nullopt;
    if (shelf_x_ + w > area_width_) {
        shelf_y_ += shelf_height_;
        shelf_x_ = 0;
        shelf_height_ = 0;
    }
    if (shelf_y_ + h > area_height_) return std::nullopt;
    const std::pair<int, int> at{area_x_ + shelf_x_, area_y_ + shelf_y_};
    shelf_x_ += w;
    shelf_height_ = std::max(shelf_height_, h);
    return at;
}

void glyph_atlas::write(int x, int y, const glyph_image& image) {
    const std::size_t row_bytes = static_cast<std::size_t>(image.width) * 4;
    if (image.rgba.size() < row_bytes * static_cast<std::size_t>(image.height)) return;
    for (int row = 0; row < image.height; ++row)
        std::memcpy(pixels_ + (static_cast<std::size_t>(y + row) * static_cast<std::size_t>(texture_width_) +
                               static_cast<std::size_t>(x)) *
                                  4,
                    image.rgba.data() + static_cast<std::size_t>(row) * row_bytes, row_bytes);
    if (!changed_) changed_ = texture_rows{y, y + image.height};
    changed_->first = std::min(changed_->first, y);
    changed_->end = std::max(changed_->end, y + image.height);
}

std::optional<texture_rows> glyph_atlas::take_changed_rows() {
    return std::exchange(changed_, std::nullopt);
}

}  // namespace parley::text
