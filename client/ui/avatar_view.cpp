#include "theme.hpp"
#include "view_context.hpp"

namespace parley::ui {

void draw_avatar(ImDrawList& list, avatar_atlas& atlas, std::string_view user, ImVec2 top_left, float size) {
    const ImVec2 bottom_right(top_left.x + size, top_left.y + size);
    if (const auto image = atlas.lookup(user)) {
        list.AddImage(image->texture, top_left, bottom_right, image->uv0, image->uv1);
        return;
    }
    const float radius = size * 0.5f;
    list.AddCircleFilled(ImVec2(top_left.x + radius, top_left.y + radius), radius,
                         ImGui::ColorConvertFloat4ToU32(name_colour(user)), 24);
}

}  // namespace parley::ui
