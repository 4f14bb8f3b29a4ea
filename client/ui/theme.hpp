#pragma once
// Fonts and style: 16 px text at scale 1 (the web's default body size), in the subset
// DejaVu Sans with Latin, Greek and Cyrillic, scaled by the display's density; every other
// script comes from the system's fonts as text needs it (text/glyph_atlas.hpp). A new
// density (a monitor change, browser zoom) rebuilds the font atlas at the new size.

#include <memory>
#include <string>

#include <imgui.h>

#include "glyph_atlas.hpp"

namespace parley::ui {

/// Text size at scale 1, in logical pixels.
inline constexpr float base_font_px = 16.0f;

/// Colours the views share, so status, names and marks mean the same everywhere.
namespace palette {
inline const ImVec4 ok{0.40f, 0.80f, 0.45f, 1.0f};
inline const ImVec4 warn{0.95f, 0.72f, 0.30f, 1.0f};
inline const ImVec4 bad{0.95f, 0.40f, 0.40f, 1.0f};
inline const ImVec4 dim{0.60f, 0.62f, 0.66f, 1.0f};
inline const ImVec4 text{0.92f, 0.93f, 0.95f, 1.0f};
inline const ImVec4 accent{0.45f, 0.62f, 0.98f, 1.0f};
inline const ImVec4 panel{0.13f, 0.14f, 0.16f, 1.0f};
inline const ImVec4 background{0.09f, 0.10f, 0.11f, 1.0f};
}  // namespace palette

/// The colour a user's name is written in: the avatar's hue, lightened for dark panels.
ImVec4 name_colour(std::string_view user);

/// The fonts and style in use. Main thread, inside an ImGui context.
class theme {
public:
    /// Glyphs the UI font lacks come from `glyphs` (the system's fonts).
    explicit theme(std::unique_ptr<text::glyph_source> glyphs) : glyphs_(std::move(glyphs)) {}

    /// Makes fonts and style match the display: `content_scale` is physical pixels per
    /// 96-dpi pixel, `framebuffer_scale` physical pixels per ImGui coordinate (1 unless the
    /// platform scales window coordinates itself, as macOS does). Also rebuilds when the
    /// glyph atlas is full. Returns true when the font atlas was rebuilt and must be
    /// uploaded again.
    bool apply(float content_scale, float framebuffer_scale);

    /// The factor sizes in ImGui coordinates are multiplied by (paddings, avatar size).
    float size_scale() const { return size_scale_; }

    /// Why the UI font could not be loaded (ImGui's own font is used then); empty if fine.
    const std::string& font_problem() const { return font_problem_; }

    /// The font's glyphs beyond the UI font: views ensure the text they draw.
    text::glyph_atlas& glyphs() { return glyphs_; }

private:
    text::glyph_atlas glyphs_;
    float content_scale_ = 0.0f;
    float framebuffer_scale_ = 0.0f;
    float size_scale_ = 1.0f;
    std::string font_problem_;
};

}  // namespace parley::ui
