#include "start_view.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // ClearActiveID: a field being edited lets go of its copy

#include <utility>

#include "drawn_targets.hpp"
#include "launch_options.hpp"
#include "parley/core/text.hpp"
#include "text_input.hpp"
#include "theme.hpp"

namespace parley::ui {
namespace {

/// Width of the form, in logical pixels: a name and a URL fit without scrolling.
constexpr float form_width = 420.0f;

}  // namespace

std::string check_start_form(const start_form& form, bool server_editable) {
    if (server_editable) {
        if (auto problem = options::check_server_url(form.server_url)) return *problem;
    }
    if (!is_valid_channel_name(form.channel))
        return "Channel names are 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter or digit.";
    if (form.name.empty()) return "Choose a name to chat with.";
    if (!is_valid_user_name(form.name)) return "Names are 1 to 32 letters, digits, '_', '.' or '-'.";
    return {};
}

std::optional<join_request> draw_start_view(start_form& form, bool server_editable, float scale,
                                            text::glyph_atlas& glyphs, std::vector<drawn_target>& targets) {
    const ImVec2 region = ImGui::GetContentRegionAvail();
    const float width = std::min(form_width * scale, region.x);
    const float height = ImGui::GetFrameHeightWithSpacing() * 13.0f;
    ImGui::SetCursorPos(ImVec2((region.x - width) * 0.5f + ImGui::GetStyle().WindowPadding.x,
                               std::max((region.y - height) * 0.4f, 0.0f)));
    ImGui::BeginChild("start", ImVec2(width, height), false, ImGuiWindowFlags_NoScrollbar);

    ImGui::SetWindowFontScale(1.6f);
    ImGui::TextUnformatted("Parley");
    ImGui::SetWindowFontScale(1.0f);
    ImGui::TextColored(palette::dim, "Real-time chat");
    ImGui::Spacing();

    if (std::exchange(form.filled, false)) ImGui::ClearActiveID();
    bool submit = false;
    const ImGuiInputTextFlags enter = ImGuiInputTextFlags_EnterReturnsTrue;
    ImGui::PushItemWidth(-1.0f);
    form.active = start_form::field::none;
    if (server_editable) {
        ImGui::TextUnformatted("Server");
        submit |= input_text(glyphs, "##server", form.server_url, enter);
        if (ImGui::IsItemActive()) form.active = start_form::field::server;
    } else {
        ImGui::TextColored(palette::dim, "Server: %s", form.server_url.c_str());
    }
    ImGui::TextUnformatted("Channel");
    submit |= input_text(glyphs, "##channel", form.channel, enter | ImGuiInputTextFlags_CharsNoBlank);
    if (ImGui::IsItemActive()) form.active = start_form::field::channel;
    ImGui::TextUnformatted("Your name");
    if (form.focus_name) {
        ImGui::SetKeyboardFocusHere();
        form.focus_name = false;
    }
    submit |= input_text(glyphs, "##name", form.name, enter | ImGuiInputTextFlags_CharsNoBlank);
    if (ImGui::IsItemActive()) form.active = start_form::field::name;
    note_target(targets, "name_field");
    ImGui::TextUnformatted("Password (accounts only)");
    // Enter in the password field signs in: that is what a user with a password means.
    const bool password_enter =
        input_text(glyphs, "##password", form.password, enter | ImGuiInputTextFlags_Password);
    if (ImGui::IsItemActive()) form.active = start_form::field::password;
    note_target(targets, "password_field");
    ImGui::PopItemWidth();

    ImGui::Spacing();
    submit |= ImGui::Button("Join as guest", ImVec2(-1.0f, 0.0f));
    note_target(targets, "join_guest");
    join_request::kind action = join_request::kind::guest;
    ImGui::BeginDisabled(form.busy);
    const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    if (ImGui::Button("Sign in", ImVec2(half, 0.0f)) || (password_enter && !form.busy)) {
        submit = true;
        action = join_request::kind::sign_in;
    }
    note_target(targets, "sign_in");
    ImGui::SameLine();
    if (ImGui::Button("Create account", ImVec2(-1.0f, 0.0f))) {
        submit = true;
        action = join_request::kind::create_account;
    }
    note_target(targets, "create_account");
    ImGui::EndDisabled();
    if (form.busy) ImGui::TextColored(palette::dim, "Asking the server...");
    if (!form.problem.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette::bad);
        ImGui::TextWrapped("%s", form.problem.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::EndChild();

    if (!submit) return std::nullopt;
    form.problem = check_start_form(form, server_editable);
    // Enter took focus from the field; give it back so the user can correct it.
    form.focus_name = true;
    if (!form.problem.empty()) return std::nullopt;
    if (action != join_request::kind::guest && form.password.empty()) {
        form.problem = "Type your password to sign in or create an account.";
        return std::nullopt;
    }
    const std::string password = action == join_request::kind::guest ? std::string() : form.password;
    return join_request{form.server_url, form.channel, form.name, action, password};
}

}  // namespace parley::ui
