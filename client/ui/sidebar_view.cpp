#include "sidebar_view.hpp"

#include <imgui.h>

#include "drawn_targets.hpp"
#include "parley/core/text.hpp"
#include "text_input.hpp"
#include "theme.hpp"
#include "users_view.hpp"

namespace parley::ui {
namespace {

/// One joined channel's row: "# name", the online count, and an unread badge.
void draw_channel_row(view_context& context, const client::channel_state& channel) {
    client::chat_model& model = context.model;
    const bool active = channel.name == model.active_channel();
    ImGui::PushID(channel.name.c_str());
    const std::string label = "# " + channel.name;
    const float row_height = ImGui::GetTextLineHeight();
    if (ImGui::Selectable("##channel", active, 0, ImVec2(0.0f, row_height))) {
        if (!channel.join_failure.empty()) {
            model.join_channel(channel.name, context.now);  // a refused join: ask again
        } else if (!active) {
            model.set_active_channel(channel.name);
            context.ui.composer.focus_wanted = true;
        }
    }
    note_target(context.ui.targets, "channel:" + channel.name);
    if (ImGui::BeginPopupContextItem("channel_menu")) {
        if (ImGui::MenuItem(("Leave #" + channel.name).c_str())) model.leave_channel(channel.name);
        ImGui::EndPopup();
    }
    // Draw over the selectable: name at the left, counts at the right.
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    ImDrawList& list = *ImGui::GetWindowDrawList();
    const ImU32 name_colour = ImGui::GetColorU32(channel.unread > 0 || active ? palette::text : palette::dim);
    list.AddText(min, name_colour, label.c_str());
    float right = max.x;
    if (channel.unread > 0) {
        const std::string badge = channel.unread > 999 ? std::string("999+") : std::to_string(channel.unread);
        const ImVec2 size = ImGui::CalcTextSize(badge.c_str());
        const float pad = 5.0f * context.scale;
        const ImVec2 badge_min(right - size.x - 2 * pad, min.y);
        list.AddRectFilled(badge_min, ImVec2(right, max.y), ImGui::GetColorU32(palette::bad),
                           row_height * 0.5f);
        list.AddText(ImVec2(badge_min.x + pad, min.y), IM_COL32_WHITE, badge.c_str());
        right = badge_min.x - 4.0f * context.scale;
    }
    const std::string online = std::to_string(channel.online) + " online";
    const ImVec2 online_size = ImGui::CalcTextSize(online.c_str());
    list.AddText(ImVec2(right - online_size.x, min.y), ImGui::GetColorU32(palette::dim), online.c_str());
    if (ImGui::IsItemHovered() && !channel.join_failure.empty())
        ImGui::SetTooltip("#%s (not joined: %s; click to try again)", channel.name.c_str(),
                          channel.join_failure.c_str());
    else if (ImGui::IsItemHovered())
        ImGui::SetTooltip("#%s%s", channel.name.c_str(), channel.joined ? "" : " (joining\xE2\x80\xA6)");
    ImGui::PopID();
}

/// The field that joins a channel by name.
void draw_join_field(view_context& context) {
    sidebar_state& state = context.ui.sidebar;
    ImGui::SetNextItemWidth(-1.0f);
    const bool enter = input_text(context.glyphs, "##join", state.join_name,
                                  ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CharsNoBlank);
    if (ImGui::IsItemActive()) context.ui.active_field_name = "Join a channel";
    if (state.join_name.empty() && !ImGui::IsItemActive()) {
        const ImVec2 min = ImGui::GetItemRectMin();
        const ImVec2 pad = ImGui::GetStyle().FramePadding;
        ImGui::GetWindowDrawList()->AddText(ImVec2(min.x + pad.x, min.y + pad.y),
                                            ImGui::GetColorU32(palette::dim), "Join a channel");
    }
    if (!enter) return;
    std::string name = state.join_name;
    if (!name.empty() && name.front() == '#') name.erase(0, 1);
    if (!is_valid_channel_name(name)) {
        state.join_problem = "Use a-z, 0-9, '_' and '-' (up to 32).";
        ImGui::SetKeyboardFocusHere(-1);
        return;
    }
    state.join_problem.clear();
    state.join_name.clear();
    context.model.join_channel(name, context.now);
    context.ui.composer.focus_wanted = true;
}

/// The server's channel list, fetched on demand.
void draw_directory(view_context& context) {
    sidebar_state& state = context.ui.sidebar;
    if (ImGui::SmallButton(state.directory_open ? "Hide all channels" : "All channels")) {
        state.directory_open = !state.directory_open;
        if (state.directory_open) context.model.request_channels();
    }
    if (!state.directory_open) return;
    const auto& directory = context.model.channel_directory();
    if (directory.empty()) ImGui::TextColored(palette::dim, "No list yet");
    for (const channel_summary& entry : directory) {
        ImGui::PushID(entry.name.c_str());
        const std::string label = "# " + entry.name + "  (" + std::to_string(entry.online) + ")";
        if (ImGui::Selectable(label.c_str())) {
            context.model.join_channel(entry.name, context.now);
            context.ui.composer.focus_wanted = true;
        }
        ImGui::PopID();
    }
}

}  // namespace

void draw_sidebar(view_context& context) {
    ImGui::TextColored(palette::dim, "CHANNELS");
    ImGui::Spacing();
    for (const client::channel_state& channel : context.model.channels()) draw_channel_row(context, channel);
    ImGui::Spacing();
    draw_join_field(context);
    if (!context.ui.sidebar.join_problem.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette::bad);
        ImGui::TextWrapped("%s", context.ui.sidebar.join_problem.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::Spacing();
    draw_directory(context);
}

}  // namespace parley::ui
