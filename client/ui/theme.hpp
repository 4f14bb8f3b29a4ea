#pragma once
// Fonts and style: 16 px text at scale 1 (the web's default body size), in the subset
// DejaVu Sans with Latin, Greek and Cyrillic, scaled by the display's density. A new
// density (a monitor change, browser zoom) rebuilds the font atlas at the new size.

#include <string>

#include <imgui.h>

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
    /// Makes fonts and style match the display: `content_scale` is physical pixels per
    /// 96-dpi pixel, `framebuffer_scale` physical pixels per ImGui coordinate (1 unless the
    /// platform scales window coordinates itself, as macOS does). Returns true when the
    /// font atlas was rebuilt and must be uploaded again.
    bool apply(float content_scale, float framebuffer_scale);

    /// The factor sizes in ImGui coordinates are multiplied by (paddings, avatar size).
    float size_scale() const { return size_scale_; }

    /// Why the UI font could not be loaded (ImGui's own font is used then); empty if fine.
    const std::string& font_problem() const { return font_problem_; }

private:
    float content_scale_ = 0.0f;
    float framebuffer_scale_ = 0.0f;
    float size_scale_ = 1.0f;
    std::string font_problem_;
};

}  // namespace parley::ui
