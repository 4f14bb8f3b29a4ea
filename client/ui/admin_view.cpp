#include "admin_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "drawn_targets.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "theme.hpp"
#include "time_format.hpp"

namespace parley::ui {
namespace {

/// While the audit tab is open it refreshes itself this often: another admin's actions
/// show up without a click, and one small request per 10 s per open window costs nothing.
constexpr unix_ms audit_refresh_ms = 10'000;
/// After one's own kick, ban or delete: the server records it within microseconds of
/// reading the frame; a second covers the WebSocket round trip on a slow link.
constexpr unix_ms audit_after_action_ms = 1'000;

/// One channel's online users, each with Kick and Ban.
void draw_channel_users(view_context& context, const client::channel_state& channel) {
    const std::string header = "#" + channel.name + " \xE2\x80\x94 " + std::to_string(channel.online) + " online";
    const bool active = channel.name == context.model.active_channel();
    ImGui::PushID(channel.name.c_str());
    if (ImGui::CollapsingHeader(header.c_str(), active ? ImGuiTreeNodeFlags_DefaultOpen : 0)) {
        int others = 0;
        for (const std::string& user : channel.users) {
            if (same_name(user, context.model.user_name())) continue;  // not oneself
            ++others;
            ImGui::PushID(user.c_str());
            ImGui::TextColored(name_colour(user), "%s", user.c_str());
            ImGui::SameLine();
            if (ImGui::SmallButton("Kick") && context.model.kick(channel.name, user, context.now))
                audit_after_action(context.ui.admin, context.now);
            note_target(context.ui.targets, "kick:" + channel.name + ":" + user);
            ImGui::SameLine();
            if (ImGui::SmallButton("Ban") && context.model.ban(user, context.ui.admin.ban_minutes, context.now))
                audit_after_action(context.ui.admin, context.now);
            note_target(context.ui.targets, "ban:" + channel.name + ":" + user);
            ImGui::PopID();
        }
        if (others == 0) ImGui::TextColored(palette::dim, "nobody else is here");
    }
    ImGui::PopID();
}

void draw_users_tab(view_context& context) {
    ImGui::SetNextItemWidth(110.0f * context.scale);
    ImGui::InputInt("ban minutes", &context.ui.admin.ban_minutes);
    context.ui.admin.ban_minutes =
        std::clamp(context.ui.admin.ban_minutes, 1, static_cast<int>(limits::max_ban_minutes));
    ImGui::Separator();
    ImGui::BeginChild("channels");
    for (const client::channel_state& channel : context.model.channels())
        if (channel.joined) draw_channel_users(context, channel);
    ImGui::EndChild();
}

void draw_audit_tab(view_context& context) {
    admin_state& admin = context.ui.admin;
    admin.audit_shown = true;
    // First shown: fetch now. Afterwards it refreshes itself (see audit_refresh_ms).
    if (admin.audit_updated == 0 && !admin.audit_loading && !admin.audit_due) admin.audit_due = context.now;
    if (ImGui::SmallButton("Refresh")) admin.audit_due = context.now;
    note_target(context.ui.targets, "audit_refresh");
    ImGui::SameLine();
    if (admin.audit_loading)
        ImGui::TextColored(palette::dim, "loading\xE2\x80\xA6");
    else if (admin.audit_updated != 0)
        ImGui::TextColored(palette::dim, "%zu entries, updated %s", admin.audit.size(),
                           format_message_time(admin.audit_updated, context.now).c_str());
    if (!admin.audit_problem.empty()) ImGui::TextColored(palette::bad, "%s", admin.audit_problem.c_str());

    // A plain list rather than an ImGui table: tables cost every browser user 11 KB of
    // compressed WebAssembly, and three columns of one line each need none of their features.
    const float actor_x = 90.0f * context.scale;
    const float action_x = actor_x + 90.0f * context.scale;
    // Columns from the start of each row, so the header and the scrolled list line up.
    const auto column = [](float row_left, float x) {
        ImGui::SameLine(0.0f, 0.0f);
        ImGui::SetCursorScreenPos(ImVec2(row_left + x, ImGui::GetCursorScreenPos().y));
    };
    float row_left = ImGui::GetCursorScreenPos().x;
    ImGui::TextColored(palette::dim, "When");
    column(row_left, actor_x);
    ImGui::TextColored(palette::dim, "Admin");
    column(row_left, action_x);
    ImGui::TextColored(palette::dim, "Action");
    ImGui::Separator();
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0.0f, 0.0f));
    ImGui::BeginChild("audit_entries", ImVec2(0.0f, 0.0f), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PopStyleVar();
    ImGuiListClipper clipper;  // up to 1,000 entries, one line each
    clipper.Begin(static_cast<int>(admin.audit.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const client::audit_entry& entry = admin.audit[static_cast<std::size_t>(i)];
            ImGui::PushID(i);
            row_left = ImGui::GetCursorScreenPos().x;
            ImGui::TextUnformatted(format_message_time(entry.at, context.now).c_str());
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", format_full_time(entry.at).c_str());
            column(row_left, actor_x);
            ImGui::TextColored(name_colour(entry.actor), "%s", entry.actor.c_str());
            column(row_left, action_x);
            const std::string action = describe_audit_action(entry);
            context.glyphs.ensure(action);  // a reason is free text
            ImGui::TextUnformatted(action.c_str());
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", action.c_str());
            ImGui::PopID();
        }
    }
    ImGui::EndChild();
}

}  // namespace

void audit_after_action(admin_state& admin, unix_ms now) {
    const unix_ms at = now + audit_after_action_ms;
    admin.audit_due = admin.audit_due ? std::min(*admin.audit_due, at) : at;
}

bool audit_fetch_due(const admin_state& admin, unix_ms now) {
    return admin.audit_shown && !admin.audit_loading && admin.audit_due && now >= *admin.audit_due;
}

void audit_requested(admin_state& admin) {
    admin.audit_loading = true;
    admin.audit_due.reset();
}

void audit_answered(admin_state& admin, const client::account_reply& reply, unix_ms now) {
    admin.audit_loading = false;
    if (reply.status == 200) {
        admin.audit = reply.audit;
        admin.audit_updated = now;
        admin.audit_problem.clear();
    } else {
        admin.audit_problem = "Could not load the audit log: " + reply.error;
    }
    // Keep it current while open, failed or not (a refused token is shown each time).
    const unix_ms next = now + audit_refresh_ms;
    admin.audit_due = admin.audit_due ? std::min(*admin.audit_due, next) : next;
}

std::string describe_audit_action(const client::audit_entry& entry) {
    const std::string where = entry.channel.empty() ? std::string() : " in #" + entry.channel;
    std::string text;
    if (entry.action == "kick")
        text = "kicked " + entry.target + (entry.channel.empty() ? std::string() : " from #" + entry.channel);
    else if (entry.action == "ban")
        text = "banned " + entry.target;
    else if (entry.action == "delete")
        text = "deleted message " + entry.target + where;
    else if (entry.action == "edit")
        text = "edited message " + entry.target + where;
    else if (entry.action == "admin_create")  // `parley-server admin create`
        text = "created the admin account " + entry.target;
    else if (entry.action == "account_remove")  // `parley-server admin remove`
        text = "removed the account " + entry.target;
    else if (entry.action == "unban")  // `parley-server admin unban`
        text = "lifted the bans of " + entry.target;
    else if (entry.action == "ban_address")
        text = "banned the address " + entry.target;
    else if (entry.action == "login")
        text = "signed in";
    else if (entry.action == "login_failed")
        text = "failed to sign in as " + entry.target;
    else if (entry.action == "register")
        text = "created the account " + entry.target;
    else if (entry.action == "logout")
        text = "signed out";
    else if (entry.action.starts_with("refused_"))  // a non-admin tried an admin action
        text = "was refused " + entry.action.substr(8) + " of " + entry.target + where;
    else  // an action newer than this client: say it as it came
        text = entry.action + " " + entry.target + where;
    if (!entry.detail.empty()) text += " (" + entry.detail + ")";
    if (!entry.address.empty()) text += " from " + entry.address;
    return text;
}

void draw_admin_window(view_context& context) {
    context.ui.admin.audit_shown = false;
    if (!context.model.is_admin()) return;
    // First shown in the bottom right corner, over the users list rather than the messages.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x - 16.0f * context.scale, display.y - 60.0f * context.scale),
                            ImGuiCond_FirstUseEver, ImVec2(1.0f, 1.0f));
    ImGui::SetNextWindowSize(ImVec2(420.0f * context.scale, 300.0f * context.scale), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("Admin", nullptr, ImGuiWindowFlags_NoSavedSettings) && ImGui::BeginTabBar("admin_tabs")) {
        const bool users = ImGui::BeginTabItem("Online users");
        note_target(context.ui.targets, "admin_users_tab");
        if (users) {
            draw_users_tab(context);
            ImGui::EndTabItem();
        }
        const bool audit = ImGui::BeginTabItem("Audit log");
        note_target(context.ui.targets, "admin_audit_tab");
        if (audit) {
            draw_audit_tab(context);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

}  // namespace parley::ui
