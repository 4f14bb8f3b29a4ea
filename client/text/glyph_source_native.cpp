// Glyphs from the desktop's fonts: fontconfig lists them in its fallback order for
// "sans-serif" (so a user's own fonts count too), FreeType rasterises the first that has
// the code point. Emoji prefer a colour font (Noto Color Emoji's bitmaps are 109 px and
// scaled down here); other text prefers an outline font.

#include "glyph_source.hpp"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cmath>
#include <string>

namespace parley::text {
namespace {

/// Code points that are emoji by default (Emoji_Presentation), roughly: the pictograph
/// planes and the symbol blocks whose members are drawn as emoji by default.
bool prefers_colour(char32_t c) {
    return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || (c >= 0x2B00 && c <= 0x2BFF) ||
           (c >= 0x231A && c <= 0x23FF);
}

struct font_entry {
    std::string file;
    int index = 0;
    const FcCharSet* charset = nullptr;  ///< owned by the font set
    bool colour = false;
    FT_Face face = nullptr;  ///< opened on first use
    bool unusable = false;   ///< FreeType could not open it
};

/// Premultiplied RGBA accumulated over a box of source pixels, then unpremultiplied.
struct accumulator {
    double r = 0, g = 0, b = 0, a = 0, n = 0;
};

class fontconfig_source final : public glyph_source {
public:
    fontconfig_source() = default;
    fontconfig_source(const fontconfig_source&) = delete;
    fontconfig_source& operator=(const fontconfig_source&) = delete;

    ~fontconfig_source() override {
        for (font_entry& entry : fonts_)
            if (entry.face) FT_Done_Face(entry.face);
        if (set_) FcFontSetDestroy(set_);
        if (library_) FT_Done_FreeType(library_);
    }

    std::optional<glyph_image> render(char32_t c, float em_px) override {
        if (!loaded_) load();
        if (!library_ || em_px <= 0.0f) return std::nullopt;
        const bool colour_first = prefers_colour(c);
        for (int pass = 0; pass < 2; ++pass) {
            const bool want_colour = (pass == 0) == colour_first;
            for (font_entry& entry : fonts_) {
                if (entry.colour != want_colour || entry.unusable) continue;
                if (!FcCharSetHasChar(entry.charset, static_cast<FcChar32>(c))) continue;
                if (auto image = render_with(entry, c, em_px)) return image;
            }
        }
        return std::nullopt;
    }

private:
    /// Asks fontconfig for its fallback list the first time a glyph is wanted: sorting every
    /// installed font takes a while, and text in the UI font's scripts never needs it.
    void load() {
        loaded_ = true;
        if (FT_Init_FreeType(&library_) != 0) library_ = nullptr;
        FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>("sans-serif"));
        if (!pattern) return;
        FcConfigSubstitute(nullptr, pattern, FcMatchPattern);
        FcDefaultSubstitute(pattern);
        FcResult result = FcResultMatch;
        set_ = FcFontSort(nullptr, pattern, FcTrue, nullptr, &result);
        FcPatternDestroy(pattern);
        if (!set_) return;
        for (int i = 0; i < set_->nfont; ++i) {
            FcPattern* font = set_->fonts[i];
            FcChar8* file = nullptr;
            FcCharSet* charset = nullptr;
            if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch) continue;
            if (FcPatternGetCharSet(font, FC_CHARSET, 0, &charset) != FcResultMatch) continue;
            font_entry entry;
            entry.file = reinterpret_cast<const char*>(file);
            FcPatternGetInteger(font, FC_INDEX, 0, &entry.index);
            FcBool colour = FcFalse;
            if (FcPatternGetBool(font, FC_COLOR, 0, &colour) == FcResultMatch)
                entry.colour = colour == FcTrue;
            entry.charset = charset;
            fonts_.push_back(std::move(entry));
        }
    }

    FT_Face open(font_entry& entry) {
        if (!entry.face && FT_New_Face(library_, entry.file.c_str(), entry.index, &entry.face) != 0) {
            entry.face = nullptr;
            entry.unusable = true;
        }
        return entry.face;
    }

    std::optional<glyph_image> render_with(font_entry& entry, char32_t c, float em_px) {
        FT_Face face = open(entry);
        if (!face) return std::nullopt;
        const FT_UInt index = FT_Get_Char_Index(face, static_cast<FT_ULong>(c));
        if (index == 0) return std::nullopt;
        float scale = 1.0f;
        if (FT_IS_SCALABLE(face)) {
            FT_Size_RequestRec request{};
            request.type = FT_SIZE_REQUEST_TYPE_NOMINAL;
            request.height = static_cast<FT_Long>(std::lround(em_px * 64.0f));
            if (FT_Request_Size(face, &request) != 0) return std::nullopt;
        } else {
            // A bitmap font (colour emoji): the strike nearest above the size, scaled down.
            if (face->num_fixed_sizes <= 0) return std::nullopt;
            int best = 0;
            for (int i = 1; i < face->num_fixed_sizes; ++i) {
                const FT_Pos have = face->available_sizes[best].y_ppem;
                const FT_Pos size = face->available_sizes[i].y_ppem;
                const FT_Pos want = static_cast<FT_Pos>(em_px * 64.0f);
                if ((have < want && size > have) || (size >= want && size < have)) best = i;
            }
            if (FT_Select_Size(face, best) != 0) return std::nullopt;
            scale = em_px * 64.0f / static_cast<float>(face->available_sizes[best].y_ppem);
        }
        const FT_Int32 flags =
            FT_LOAD_RENDER | FT_LOAD_COLOR | (FT_IS_SCALABLE(face) ? FT_LOAD_TARGET_LIGHT : 0);
        if (FT_Load_Glyph(face, index, flags) != 0) return std::nullopt;
        const FT_GlyphSlot slot = face->glyph;
        const FT_Bitmap& bitmap = slot->bitmap;
        glyph_image image;
        image.advance = static_cast<float>(slot->advance.x) / 64.0f * scale;
        image.colour = bitmap.pixel_mode == FT_PIXEL_MODE_BGRA;
        const int sw = static_cast<int>(bitmap.width);
        const int sh = static_cast<int>(bitmap.rows);
        if (sw == 0 || sh == 0) return image;
        image.width = std::max(1, static_cast<int>(std::lround(static_cast<float>(sw) * scale)));
        image.height = std::max(1, static_cast<int>(std::lround(static_cast<float>(sh) * scale)));
        image.left = static_cast<int>(std::lround(static_cast<float>(slot->bitmap_left) * scale));
        image.top = static_cast<int>(std::lround(static_cast<float>(slot->bitmap_top) * scale));
        image.rgba.assign(static_cast<std::size_t>(image.width * image.height) * 4, 0);
        // Each target pixel averages the source pixels it covers (a box filter; scale is 1
        // for outline fonts, where this is a copy).
        for (int y = 0; y < image.height; ++y) {
            const int sy0 = y * sh / image.height;
            const int sy1 = std::max(sy0 + 1, (y + 1) * sh / image.height);
            for (int x = 0; x < image.width; ++x) {
                const int sx0 = x * sw / image.width;
                const int sx1 = std::max(sx0 + 1, (x + 1) * sw / image.width);
                accumulator sum;
                for (int sy = sy0; sy < sy1; ++sy)
                    for (int sx = sx0; sx < sx1; ++sx) add_pixel(sum, bitmap, sx, sy);
                std::uint8_t* out = &image.rgba[static_cast<std::size_t>(y * image.width + x) * 4];
                const double alpha = sum.a / sum.n;
                out[3] = static_cast<std::uint8_t>(std::lround(alpha));
                if (!image.colour) {
                    out[0] = out[1] = out[2] = 255;
                } else if (sum.a > 0) {
                    out[0] = static_cast<std::uint8_t>(std::lround(std::min(255.0, sum.r * 255.0 / sum.a)));
                    out[1] = static_cast<std::uint8_t>(std::lround(std::min(255.0, sum.g * 255.0 / sum.a)));
                    out[2] = static_cast<std::uint8_t>(std::lround(std::min(255.0, sum.b * 255.0 / sum.a)));
                }
            }
        }
        return image;
    }

    static void add_pixel(accumulator& sum, const FT_Bitmap& bitmap, int x, int y) {
        const unsigned char* row = bitmap.buffer + static_cast<std::ptrdiff_t>(y) * bitmap.pitch;
        sum.n += 1;
        switch (bitmap.pixel_mode) {
            case FT_PIXEL_MODE_GRAY:
                sum.a += row[x];
                break;
            case FT_PIXEL_MODE_MONO:
                sum.a += (row[x >> 3] & (0x80 >> (x & 7))) ? 255 : 0;
                break;
            case FT_PIXEL_MODE_BGRA: {
                // FreeType's colour bitmaps are premultiplied BGRA.
                const unsigned char* p = row + x * 4;
                sum.b += p[0];
                sum.g += p[1];
                sum.r += p[2];
                sum.a += p[3];
                break;
            }
            default:
                break;
        }
    }

    bool loaded_ = false;
    FT_Library library_ = nullptr;
    FcFontSet* set_ = nullptr;
    std::vector<font_entry> fonts_;
};

}  // namespace

std::unique_ptr<glyph_source> make_system_glyph_source() {
    return std::make_unique<fontconfig_source>();
}

}  // namespace parley::text
