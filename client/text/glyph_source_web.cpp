// Glyphs from the browser: the page's own canvas text rendering draws each code point the
// UI font lacks, with the fonts the browser has (its CJK fonts, its colour emoji), so the
// bundle carries none of them and a first CJK message costs no download. A code point no
// font has comes back as the browser's own missing-glyph box.

#include "glyph_source.hpp"

#include <emscripten.h>

#include <cstdlib>
#include <cstring>

namespace parley::text {
namespace {

// Draws `code_point` white on a transparent canvas with an em of `em_px` CSS pixels and
// returns a malloc'd block: six int32 (width, height, left, top, advance * 64, colour)
// then width * height * 4 bytes of RGBA, unpremultiplied (getImageData's own format).
// clang-format off
EM_JS(void*, parley_canvas_glyph, (int code_point, float em_px), {
    var state = Module['parleyGlyphs'];
    if (!state) {
        var canvas = document.createElement('canvas');
        canvas.width = 64;
        canvas.height = 64;
        state = Module['parleyGlyphs'] = {canvas: canvas, context: canvas.getContext('2d', {willReadFrequently: true})};
    }
    var context = state.context;
    var text = String.fromCodePoint(code_point);
    var font = em_px + 'px sans-serif';
    context.font = font;
    var metrics = context.measureText(text);
    var left = Math.floor(-metrics.actualBoundingBoxLeft);
    var right = Math.ceil(metrics.actualBoundingBoxRight);
    var top = Math.ceil(metrics.actualBoundingBoxAscent);
    var bottom = Math.ceil(metrics.actualBoundingBoxDescent);
    var width = Math.max(0, right - left), height = Math.max(0, top + bottom);
    var pixels = null, colour = 0;
    if (width > 0 && height > 0) {
        if (state.canvas.width < width || state.canvas.height < height) {
            state.canvas.width = Math.max(state.canvas.width, width);
            state.canvas.height = Math.max(state.canvas.height, height);
            context.font = font;  // resizing a canvas resets its state
        }
        context.clearRect(0, 0, width, height);
        context.fillStyle = '#fff';
        context.textBaseline = 'alphabetic';
        context.fillText(text, -left, top);
        pixels = context.getImageData(0, 0, width, height).data;
        // A colour glyph (emoji) has pixels that are not white; antialiased white text
        // has only white ones at varying alpha.
        var seen = 0, tinted = 0;
        for (var i = 0; i < pixels.length; i += 4) {
            if (pixels[i + 3] < 64) continue;
            seen++;
            var r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
            if (Math.min(r, g, b) < 200 || Math.max(r, g, b) - Math.min(r, g, b) > 24) tinted++;
        }
        colour = seen > 0 && tinted * 20 >= seen ? 1 : 0;
    }
    var bytes = 24 + width * height * 4;
    var block = _malloc(bytes);
    if (!block) return 0;
    HEAP32[(block >> 2) + 0] = width;
    HEAP32[(block >> 2) + 1] = height;
    HEAP32[(block >> 2) + 2] = left;
    HEAP32[(block >> 2) + 3] = top;
    HEAP32[(block >> 2) + 4] = Math.round(metrics.width * 64);
    HEAP32[(block >> 2) + 5] = colour;
    if (pixels) HEAPU8.set(pixels, block + 24);
    return block;
});
// clang-format on

class canvas_source final : public glyph_source {
public:
    std::optional<glyph_image> render(char32_t c, float em_px) override {
        void* block = parley_canvas_glyph(static_cast<int>(c), em_px);
        if (!block) return std::nullopt;
        std::int32_t header[6];
        std::memcpy(header, block, sizeof header);
        glyph_image image;
        image.width = header[0];
        image.height = header[1];
        image.left = header[2];
        image.top = header[3];
        image.advance = static_cast<float>(header[4]) / 64.0f;
        image.colour = header[5] != 0;
        const auto* pixels = static_cast<const std::uint8_t*>(block) + sizeof header;
        image.rgba.assign(pixels, pixels + static_cast<std::size_t>(image.width * image.height) * 4);
        if (!image.colour)
            for (std::size_t i = 0; i < image.rgba.size(); i += 4)
                image.rgba[i] = image.rgba[i + 1] = image.rgba[i + 2] = 255;
        std::free(block);
        return image;
    }
};

}  // namespace

std::unique_ptr<glyph_source> make_system_glyph_source() {
    return std::make_unique<canvas_source>();
}

}  // namespace parley::text
