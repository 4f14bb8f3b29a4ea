// The atlas grown on demand, with a scripted glyph source: which code points are asked
// for and when, where their pixels land, what is drawn for a code point no font has, and
// what happens when the area fills up. An ImGui context without any renderer: the atlas
// is CPU-side pixels and font tables.

#include "glyph_atlas.hpp"

#include <doctest/doctest.h>
#include <imgui.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>

using parley::text::glyph_atlas;
using parley::text::glyph_image;
using parley::text::glyph_source;

namespace {

/// A glyph per code point: `size` square, every pixel (cp & 0xFF, 0x80, 0x40, 0xFF), an
/// advance of size + 2; code points in `missing` are in no font; `colour` ones are colour.
class scripted_source final : public glyph_source {
public:
    std::optional<glyph_image> render(char32_t c, float em_px) override {
        asked.push_back(c);
        last_em = em_px;
        if (missing.count(c)) return std::nullopt;
        glyph_image image;
        image.width = image.height = size;
        image.left = 1;
        image.top = size - 2;
        image.advance = static_cast<float>(size + 2);
        image.colour = colour.count(c) > 0;
        for (int i = 0; i < size * size; ++i) {
            image.rgba.push_back(static_cast<std::uint8_t>(c & 0xFF));
            image.rgba.push_back(0x80);
            image.rgba.push_back(0x40);
            image.rgba.push_back(0xFF);
        }
        return image;
    }
    std::vector<char32_t> asked;
    std::set<char32_t> missing;
    std::set<char32_t> colour;
    int size = 12;
    float last_em = 0;
};

/// An ImGui context whose only font is ImGui's own (ASCII), grown by an atlas over
/// `source`, with an area of `area_height` rows.
struct fixture {
    explicit fixture(int area_height = 256) {
        auto owned = std::make_unique<scripted_source>();
        source = owned.get();
        atlas = std::make_unique<glyph_atlas>(std::move(owned));
        context = ImGui::CreateContext();
        build(area_height);
    }
    ~fixture() { ImGui::DestroyContext(context); }

    void build(int area_height) {
        ImFontAtlas& fonts = *ImGui::GetIO().Fonts;
        fonts.Clear();
        atlas->prepare(fonts, 512, area_height);
        font = fonts.AddFontDefault();
        fonts.Build();
        atlas->attach(*font, 13.0f);
    }

    /// The RGBA pixel at texture coordinates (u, v).
    std::uint32_t pixel_at(float u, float v) const {
        unsigned char* pixels = nullptr;
        int width = 0, height = 0;
        ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
        const int x = static_cast<int>(u * static_cast<float>(width) + 0.5f);
        const int y = static_cast<int>(v * static_cast<float>(height) + 0.5f);
        std::uint32_t value = 0;
        std::memcpy(&value,
                    pixels + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                              static_cast<std::size_t>(x)) *
                                 4,
                    4);
        return value;
    }

    float width_of(const char* utf8) const { return font->CalcTextSizeA(font->FontSize, 1e9f, 0.0f, utf8).x; }

    ImGuiContext* context = nullptr;
    scripted_source* source = nullptr;
    std::unique_ptr<glyph_atlas> atlas;
    ImFont* font = nullptr;
};

std::uint32_t rgba(std::uint8_t r, std::uint8_t g, std::uint8_t b, std::uint8_t a) {
    const std::uint8_t bytes[4] = {r, g, b, a};
    std::uint32_t value = 0;
    std::memcpy(&value, bytes, 4);
    return value;
}

}  // namespace

TEST_CASE("code points the font lacks are rasterised once, the first time text needs them") {
    fixture f;
    f.atlas->ensure("hello \xE4\xBD\xA0\xE5\xA5\xBD");  // "hello 你好"
    CHECK(f.source->asked == std::vector<char32_t>{0x4F60, 0x597D});
    CHECK(f.source->last_em == 13.0f);
    f.atlas->ensure("\xE4\xBD\xA0\xE5\xA5\xBD again");
    CHECK(f.source->asked.size() == 2);  // not asked again
    CHECK(f.atlas->stats().added == 2);

    const ImFontGlyph* ni = f.font->FindGlyphNoFallback(0x4F60);
    REQUIRE(ni);
    CHECK(ni->AdvanceX == 14.0f);
    CHECK(ni->X1 - ni->X0 == 12.0f);
    CHECK(ni->Y0 == doctest::Approx(std::round(f.font->Ascent) - 10.0f));  // top 10 px above the baseline
    CHECK_FALSE(ni->Colored);
    // Its pixels are in the texture where its coordinates point.
    CHECK(f.pixel_at(ni->U0, ni->V0) == rgba(0x60, 0x80, 0x40, 0xFF));
    const ImFontGlyph* hao = f.font->FindGlyphNoFallback(0x597D);
    REQUIRE(hao);
    CHECK(f.pixel_at(hao->U0, hao->V0) == rgba(0x7D, 0x80, 0x40, 0xFF));
    // And text is measured with them: six ASCII advances and two of 14 px.
    CHECK(f.width_of("hello \xE4\xBD\xA0\xE5\xA5\xBD") == doctest::Approx(f.width_of("hello ") + 28.0f));
}

TEST_CASE("the rows a new glyph changed are handed out once, for upload") {
    fixture f;
    CHECK_FALSE(f.atlas->take_changed_rows());  // attach leaves nothing pending: the build uploads all
    f.atlas->ensure("\xCE\xB1");                // α, not in ImGui's ASCII font
    const auto rows = f.atlas->take_changed_rows();
    REQUIRE(rows);
    const ImFontGlyph* alpha = f.font->FindGlyphNoFallback(0x3B1);
    REQUIRE(alpha);
    const int height = ImGui::GetIO().Fonts->TexHeight;
    CHECK(rows->first <= static_cast<int>(alpha->V0 * static_cast<float>(height) + 0.5f));
    CHECK(rows->end >= static_cast<int>(alpha->V1 * static_cast<float>(height) + 0.5f));
    CHECK(rows->end - rows->first == 12);
    CHECK_FALSE(f.atlas->take_changed_rows());
    f.atlas->ensure("\xCE\xB1");
    CHECK_FALSE(f.atlas->take_changed_rows());  // nothing new
}

TEST_CASE("a code point no font has is drawn as the missing-glyph box, never as '?'") {
    fixture f;
    f.source->missing = {0xE123};
    f.atlas->ensure("\xEE\x84\xA3");  // U+E123
    CHECK(f.atlas->stats().missing == 1);
    const ImFontGlyph* box = f.font->FindGlyphNoFallback(static_cast<ImWchar>(glyph_atlas::missing_box));
    REQUIRE(box);
    const ImFontGlyph* e123 = f.font->FindGlyphNoFallback(0xE123);
    REQUIRE(e123);
    CHECK(e123->U0 == box->U0);
    CHECK(e123->V0 == box->V0);
    CHECK(e123->AdvanceX == box->AdvanceX);
    CHECK(e123->Visible);
    // The box is an outline: its corner is lit, its middle is not.
    CHECK(f.pixel_at(box->U0, box->V0) == rgba(255, 255, 255, 255));
    CHECK(f.pixel_at((box->U0 + box->U1) / 2, (box->V0 + box->V1) / 2) == 0);
    // Not asked again, and whatever was never ensured is drawn as the box too.
    f.atlas->ensure("\xEE\x84\xA3");
    CHECK(f.source->asked.size() == 1);
    CHECK(f.font->FindGlyph(0x0B95) == box);  // Tamil KA, never ensured
    CHECK(f.font->FallbackChar != '?');
    CHECK(f.width_of("\xE0\xAE\x95") == doctest::Approx(box->AdvanceX));
}

TEST_CASE("joiners and variation selectors draw nothing and take no room") {
    fixture f;
    f.atlas->ensure("\xE2\x80\x8D\xEF\xB8\x8F");  // U+200D ZERO WIDTH JOINER, U+FE0F VS16
    CHECK(f.source->asked.empty());
    for (ImWchar c : {ImWchar(0x200D), ImWchar(0xFE0F)}) {
        const ImFontGlyph* g = f.font->FindGlyphNoFallback(c);
        REQUIRE(g);
        CHECK(g->AdvanceX == 0.0f);
        CHECK_FALSE(g->Visible);
    }
}

TEST_CASE("emoji above U+FFFF are glyphs of their own, drawn in colour") {
    fixture f;
    f.source->colour = {0x1F389};
    f.atlas->ensure("\xF0\x9F\x8E\x89\xF0\x9F\x91\x8D");  // 🎉👍
    CHECK(f.source->asked == std::vector<char32_t>{0x1F389, 0x1F44D});
    const ImFontGlyph* party = f.font->FindGlyphNoFallback(0x1F389);
    REQUIRE(party);
    CHECK(party->Colored);
    const ImFontGlyph* thumbs = f.font->FindGlyphNoFallback(0x1F44D);
    REQUIRE(thumbs);
    CHECK_FALSE(thumbs->Colored);
    // Code points between the old end of the tables and the new glyph still measure as the box.
    const ImFontGlyph* box = f.font->FindGlyphNoFallback(static_cast<ImWchar>(glyph_atlas::missing_box));
    REQUIRE(box);
    CHECK(f.font->FindGlyph(0x1F000) == box);
    CHECK(f.width_of("\xF0\x9F\x80\x80") == doctest::Approx(box->AdvanceX));
}

TEST_CASE("when the area is full the atlas asks for a rebuild, and starts afresh after it") {
    fixture f(48);  // room for the box and two shelves of 12 px glyphs
    const std::uint32_t generation = f.atlas->generation();
    std::string text;
    for (char32_t c = 0x4E00; c < 0x4E00 + 200; ++c) {
        text += static_cast<char>(0xE0 | (c >> 12));
        text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        text += static_cast<char>(0x80 | (c & 0x3F));
    }
    f.atlas->ensure(text);
    CHECK(f.atlas->wants_rebuild());
    const std::uint64_t fitted = f.atlas->stats().added;
    CHECK(fitted > 0);
    CHECK(fitted < 200);
    // What did not fit is drawn as the box meanwhile; nothing more is tried.
    const ImFontGlyph* box = f.font->FindGlyphNoFallback(static_cast<ImWchar>(glyph_atlas::missing_box));
    CHECK(f.font->FindGlyph(0x4E00 + 199) == box);
    const std::size_t asked = f.source->asked.size();
    f.atlas->ensure("\xE4\xB8\x80\xE9\xBE\x8D");  // 一 (fitted) and 龍 (not)
    CHECK(f.source->asked.size() == asked);

    f.build(48);
    CHECK_FALSE(f.atlas->wants_rebuild());
    CHECK(f.atlas->generation() != generation);
    CHECK(f.atlas->stats().rebuilds == 1);
    CHECK(f.font->FindGlyphNoFallback(0x4E00) == nullptr);  // the old glyphs are gone
    f.atlas->ensure("\xE9\xBE\x8D");
    CHECK(f.font->FindGlyphNoFallback(0x9F8D) != nullptr);
}
