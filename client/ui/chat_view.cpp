#include "chat_view.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // SetNextWindowScroll

#include <algorithm>
#include <string>

#include "admin_view.hpp"
#include "composer_view.hpp"
#include "connection_status.hpp"
#include "drawn_targets.hpp"
#include "message_list_view.hpp"
#include "sidebar_view.hpp"
#include "theme.hpp"
#include "users_view.hpp"

namespace parley::ui {
namespace {

/// Panel widths in logical pixels: a 32-character channel name, a 24-character user name.
constexpr float sidebar_width = 220.0f;
constexpr float users_width = 200.0f;
/// Below this width (logical pixels) the users panel gives its room to the messages.
constexpr float narrow_window = 760.0f;
/// Below this width (logical pixels) one column: beside a 220 px channel list, a phone's
/// 390 px would leave the messages a few words a line.
constexpr float one_column_window = 600.0f;
/// A drawer's width (logical pixels), at most this share of the window's.
constexpr float drawer_width = 300.0f;
constexpr float drawer_share = 0.85f;

/// Opens `which` drawer, or closes it when it is the one open.
void toggle_drawer(ui_state& ui, ui_state::drawer which) {
    ui.open_drawer = ui.open_drawer == which ? ui_state::drawer::none : which;
}

void draw_status_bar(view_context& context) {
    const connection_status status = describe_connection(context.model, context.now);
    context.ui.drawn_status = status.text;
    const bool one_column = context.ui.one_column;
    if (one_column) {
        if (ImGui::SmallButton("Channels")) toggle_drawer(context.ui, ui_state::drawer::channels);
        note_target(context.ui.targets, "open_channels");
        ImGui::SameLine();
    }
    const ImVec4 colour = status.tone == connection_status::level::ok     ? palette::ok
                          : status.tone == connection_status::level::busy ? palette::warn
                                                                          : palette::bad;
    ImGui::TextColored(colour, "\xE2\x97\x8F");  // ● BLACK CIRCLE
    ImGui::SameLine();
    ImGui::TextUnformatted(status.text.c_str());
    if (const auto* channel = context.model.active(); channel && !one_column) {
        ImGui::SameLine();
        ImGui::TextColored(palette::dim, "  #%s", channel->name.c_str());
    }
    const char* toggle = one_column ? "Users" : context.ui.show_users ? "Hide users" : "Show users";
    const float padding = 2.0f * ImGui::GetStyle().FramePadding.x;
    const float toggle_width = ImGui::CalcTextSize(toggle).x + padding;
    const bool account = !context.model.config().token.empty();
    float right = toggle_width;
    std::string who;
    if (account) {
        // The account name (and role) beside its "Sign out", at the right end.
        who = context.model.user_name().empty() ? std::string("signed in") : context.model.user_name();
        if (context.model.is_admin()) who += " (admin)";
        right += ImGui::CalcTextSize(who.c_str()).x + ImGui::CalcTextSize("Sign out").x + padding +
                 2.0f * ImGui::GetStyle().ItemSpacing.x;
    }
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - right);
    if (account) {
        ImGui::TextUnformatted(who.c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton("Sign out")) context.ui.sign_out_requested = true;
        note_target(context.ui.targets, "sign_out");
        ImGui::SameLine();
    }
    if (ImGui::SmallButton(toggle)) {
        if (one_column)
            toggle_drawer(context.ui, ui_state::drawer::users);
        else
            context.ui.show_users = !context.ui.show_users;
    }
    note_target(context.ui.targets, one_column ? "open_users" : "toggle_users");
    ImGui::Separator();
}

/// The newest problem the server reported (kicked, banned, refused, rate limited) on a
/// line of its own under the top bar until dismissed: the status line only tells the
/// connection's state. Link errors stay out: the status line already says them.
void draw_notice(view_context& context) {
    context.ui.drawn_notice.clear();
    const client::error_entry* error = context.model.last_error();
    if (!error || error->source != client::error_source::server) return;
    // Name trouble is explained, with what to do, above the composer.
    if (context.model.identity_issue() != client::identity_problem::none) return;
    ImGui::TextColored(palette::warn, "\xE2\x9A\xA0");  // ⚠ WARNING SIGN
    ImGui::SameLine();
    context.glyphs.ensure(error->message);
    ImGui::TextUnformatted(error->message.c_str());
    context.ui.drawn_notice = error->message;
    ImGui::SameLine();
    if (ImGui::SmallButton("Dismiss")) context.model.clear_errors();
    note_target(context.ui.targets, "dismiss_notice");
    ImGui::Separator();
}

/// The open drawer over the area from `min`, `size` big: the channels from the left or the
/// online list from the right, over a dimmed backdrop; a tap on the backdrop, or choosing a
/// channel, closes it.
void draw_drawer(view_context& context, ImVec2 min, ImVec2 size) {
    ui_state& ui = context.ui;
    const bool channels = ui.open_drawer == ui_state::drawer::channels;
    const std::string active_before = context.model.active_channel();
    ImGui::SetNextWindowPos(min);
    ImGui::SetNextWindowSize(size);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.0f, 0.0f, 0.0f, 0.55f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0.0f, 0.0f));
    ImGui::Begin("##drawer", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    ImGui::PopStyleVar();
    const float width = std::min(drawer_width * context.scale, size.x * drawer_share);
    const ImVec2 panel_min(channels ? min.x : min.x + size.x - width, min.y);
    ImGui::SetCursorScreenPos(panel_min);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, palette::panel);
    ImGui::BeginChild(channels ? "drawer_channels" : "drawer_users", ImVec2(width, size.y), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding);
    if (channels)
        draw_sidebar(context);
    else
        draw_users_panel(context);
    ImGui::EndChild();
    ImGui::PopStyleColor();
    const bool on_backdrop =
        ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) &&
        !ImGui::IsMouseHoveringRect(panel_min, ImVec2(panel_min.x + width, min.y + size.y));
    if (on_backdrop && ImGui::IsMouseReleased(ImGuiMouseButton_Left)) ui.open_drawer = ui_state::drawer::none;
    note_area(ui.targets, "drawer_backdrop", channels ? ImVec2(panel_min.x + width, min.y) : min,
              channels ? ImVec2(min.x + size.x, min.y + size.y) : ImVec2(panel_min.x, min.y + size.y));
    ImGui::End();
    ImGui::PopStyleColor();
    if (context.model.active_channel() != active_before) ui.open_drawer = ui_state::drawer::none;
}

}  // namespace

void draw_chat_screen(view_context& context) {
    context.ui.one_column = ImGui::GetContentRegionAvail().x < one_column_window * context.scale;
    if (!context.ui.one_column) context.ui.open_drawer = ui_state::drawer::none;
    draw_status_bar(context);
    draw_notice(context);
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImVec2 region = ImGui::GetContentRegionAvail();
    const bool one_column = context.ui.one_column;
    const float sidebar = one_column ? 0.0f : sidebar_width * context.scale;
    const bool users_shown =
        !one_column && context.ui.show_users && region.x >= narrow_window * context.scale;
    const float users = users_shown ? users_width * context.scale : 0.0f;
    const float centre = one_column
                             ? region.x
                             : region.x - sidebar - users - style.ItemSpacing.x * (users_shown ? 2.0f : 1.0f);
    const ImVec2 area_min = ImGui::GetCursorScreenPos();

    if (!one_column) {
        ImGui::PushStyleColor(ImGuiCol_ChildBg, palette::panel);
        ImGui::BeginChild("sidebar", ImVec2(sidebar, region.y), false,
                          ImGuiWindowFlags_AlwaysUseWindowPadding);
        draw_sidebar(context);
        ImGui::EndChild();
        ImGui::PopStyleColor();
        ImGui::SameLine();
    }
    // The centre is sized to fit exactly; never let focusing the input scroll it (ImGui
    // scrolls a focused widget into view when an estimate is off by a pixel).
    ImGui::SetNextWindowScroll(ImVec2(0.0f, 0.0f));
    ImGui::BeginChild("centre", ImVec2(centre, region.y), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    const float composer = composer_height(context, centre);
    const float list_height = std::max(ImGui::GetContentRegionAvail().y - composer, 40.0f * context.scale);
    draw_message_list(context, ImVec2(ImGui::GetContentRegionAvail().x, list_height));
    draw_composer(context, ImGui::GetContentRegionAvail().x);
    ImGui::EndChild();

    if (users_shown) {
        ImGui::SameLine();
        ImGui::PushStyleColor(ImGuiCol_ChildBg, palette::panel);
        ImGui::BeginChild("users", ImVec2(users, region.y), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
        draw_users_panel(context);
        ImGui::EndChild();
        ImGui::PopStyleColor();
    }
    if (context.ui.open_drawer != ui_state::drawer::none) draw_drawer(context, area_min, region);
    draw_admin_window(context);
}

}  // namespace parley::ui
