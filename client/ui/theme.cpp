#include "theme.hpp"

#include <cmath>
#include <system_error>

#include "avatar_atlas.hpp"
#include "font_metrics.hpp"
#include "resources.hpp"

namespace parley::ui {
namespace {

// The scripts the UI font carries, matching the subset the build cuts (client/app/
// CMakeLists.txt); the rest come from the system as text needs them. Pairs of inclusive
// ranges, zero-terminated; ImGui keeps the pointer.
constexpr ImWchar glyph_ranges[] = {
    0x0020, 0x007E,  // Basic Latin
    0x00A0, 0x017F,  // Latin-1 Supplement, Latin Extended-A
    0x0370, 0x03FF,  // Greek and Coptic
    0x0400, 0x04FF,  // Cyrillic
    0x2000, 0x206F,  // General Punctuation (… – — “ ”)
    0x2190, 0x21FF,  // Arrows (↓)
    0x25CB, 0x25CB,  // ○ pending
    0x25CF, 0x25CF,  // ● status
    0x26A0, 0x26A0,  // ⚠ notices
    0x2713, 0x2713,  // ✓ delivered
    0,
};

float hue_of(std::string_view user) {
    // The same mixing as the avatar shader's first step, so a name and its avatar match.
    std::uint32_t x = avatar_seed(user);
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return static_cast<float>(x & 0xffffu) / 65536.0f;
}

void apply_style(float scale) {
    ImGuiStyle style;
    ImGui::StyleColorsDark(&style);
    style.WindowRounding = 0.0f;
    style.ChildRounding = 4.0f;
    style.FrameRounding = 4.0f;
    style.PopupRounding = 4.0f;
    style.GrabRounding = 4.0f;
    style.ScrollbarRounding = 6.0f;
    style.WindowBorderSize = 0.0f;
    style.FramePadding = ImVec2(8.0f, 5.0f);
    style.ItemSpacing = ImVec2(8.0f, 6.0f);
    style.WindowPadding = ImVec2(10.0f, 10.0f);
    style.ScrollbarSize = 12.0f;
    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = palette::background;
    // Children draw no background of their own: the frame is cleared to the window colour,
    // and every full-size layer of blended pixels is real work for a software rasteriser
    // (Mesa's llvmpipe spends most of a frame on them).
    c[ImGuiCol_ChildBg] = ImVec4(0.0f, 0.0f, 0.0f, 0.0f);
    c[ImGuiCol_PopupBg] = ImVec4(0.16f, 0.17f, 0.20f, 1.0f);
    c[ImGuiCol_Text] = palette::text;
    c[ImGuiCol_TextDisabled] = palette::dim;
    c[ImGuiCol_FrameBg] = ImVec4(0.17f, 0.18f, 0.21f, 1.0f);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.20f, 0.22f, 0.26f, 1.0f);
    c[ImGuiCol_FrameBgActive] = ImVec4(0.22f, 0.24f, 0.29f, 1.0f);
    c[ImGuiCol_Header] = ImVec4(0.22f, 0.25f, 0.32f, 1.0f);
    c[ImGuiCol_HeaderHovered] = ImVec4(0.26f, 0.30f, 0.40f, 1.0f);
    c[ImGuiCol_HeaderActive] = ImVec4(0.30f, 0.36f, 0.50f, 1.0f);
    c[ImGuiCol_Button] = ImVec4(0.25f, 0.36f, 0.62f, 1.0f);
    c[ImGuiCol_ButtonHovered] = ImVec4(0.30f, 0.43f, 0.74f, 1.0f);
    c[ImGuiCol_ButtonActive] = ImVec4(0.34f, 0.48f, 0.82f, 1.0f);
    c[ImGuiCol_Separator] = ImVec4(0.22f, 0.23f, 0.26f, 1.0f);
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

}  // namespace

ImVec4 name_colour(std::string_view user) {
    ImVec4 colour(0, 0, 0, 1);
    ImGui::ColorConvertHSVtoRGB(hue_of(user), 0.45f, 0.95f, colour.x, colour.y, colour.z);
    return colour;
}

bool theme::apply(float content_scale, float framebuffer_scale) {
    if (content_scale <= 0.0f) content_scale = 1.0f;
    if (framebuffer_scale <= 0.0f) framebuffer_scale = 1.0f;
    if (content_scale == content_scale_ && framebuffer_scale == framebuffer_scale_ &&
        !glyphs_.wants_rebuild())
        return false;
    content_scale_ = content_scale;
    framebuffer_scale_ = framebuffer_scale;
    size_scale_ = content_scale / framebuffer_scale;
    apply_style(size_scale_);

    // Rasterise at physical pixels; ImGui then draws at logical size (1/framebuffer_scale).
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    const float pixels = std::round(base_font_px * content_scale);
    // Room for about 3,000 CJK glyphs at this size before the area starts again.
    const int texture_width = pixels <= 24.0f ? 1024 : 2048;
    glyphs_.prepare(*io.Fonts, texture_width, texture_width);
    ImFontConfig config;
    config.OversampleH = 2;  // sharper subpixel placement of small text
    config.OversampleV = 1;
    font_problem_ = "no UI font found";
    // ImGui sizes a font by its ascender-to-descender height; other fonts by the em.
    float em_px = pixels;
    for (const auto& path : platform::ui_font_candidates()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) continue;
        if (io.Fonts->AddFontFromFileTTF(path.string().c_str(), pixels, &config, glyph_ranges)) {
            font_problem_.clear();
            if (const auto span = text::line_span_in_em(path)) em_px = pixels / *span;
            break;
        }
    }
    if (!font_problem_.empty()) {
        ImFontConfig fallback;
        fallback.SizePixels = pixels;
        io.Fonts->AddFontDefault(&fallback);
    }
    io.FontGlobalScale = 1.0f / framebuffer_scale;
    io.Fonts->Build();
    glyphs_.attach(*io.Fonts->Fonts[0], em_px);
    return true;
}

}  // namespace parley::ui
