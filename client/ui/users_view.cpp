#include "users_view.hpp"

#include <imgui.h>

#include "parley/core/text.hpp"
#include "theme.hpp"

namespace parley::ui {

void draw_users_panel(view_context& context) {
    const client::channel_state* channel = context.model.active();
    if (!channel) return;
    // The model counts one's own name in (the server's lists leave it to the client).
    const std::vector<std::string>& users = channel->users;
    ImGui::TextColored(palette::dim, "ONLINE \xE2\x80\x94 %d", channel->online);
    ImGui::Spacing();
    const float row = ImGui::GetTextLineHeight() * 1.4f;
    const float avatar = row - 2.0f * context.scale;
    ImDrawList& list = *ImGui::GetWindowDrawList();
    // Rows are exactly `row` tall, as the clipper assumes.
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 0.0f));
    ImGuiListClipper clipper;  // a channel may have thousands online
    clipper.Begin(static_cast<int>(users.size()), row);
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const std::string& user = users[static_cast<std::size_t>(i)];
            const ImVec2 at = ImGui::GetCursorScreenPos();
            draw_avatar(list, context.avatars, user, ImVec2(at.x, at.y + 1.0f * context.scale), avatar);
            const bool me = same_name(user, context.model.user_name());
            const float text_y = at.y + (row - ImGui::GetTextLineHeight()) * 0.5f;
            list.AddText(ImVec2(at.x + avatar + 8.0f * context.scale, text_y),
                         ImGui::GetColorU32(name_colour(user)), user.c_str());
            if (me) {
                const ImVec2 size = ImGui::CalcTextSize(user.c_str());
                list.AddText(
                    ImVec2(at.x + avatar + 8.0f * context.scale + size.x + 6.0f * context.scale, text_y),
                    ImGui::GetColorU32(palette::dim), "(you)");
            }
            ImGui::Dummy(ImVec2(ImGui::GetContentRegionAvail().x, row));
        }
    }
    ImGui::PopStyleVar();
}

}  // namespace parley::ui
