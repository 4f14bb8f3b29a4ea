#include "composer_view.hpp"

#include <imgui.h>

#include <algorithm>

#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "text_input.hpp"
#include "theme.hpp"

namespace parley::ui {
namespace {

/// Lines the input grows to before it scrolls: room to see a paragraph while writing it.
constexpr int max_visible_lines = 6;
/// Past this many code points the count is shown: a warning before the refusal.
constexpr std::size_t length_warning_at = limits::max_text_code_points - 500;

std::string with_thousands(std::size_t n) {
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

int line_count(const std::string& text) {
    return 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

/// The banner line between the typing notice and the input, if any.
void draw_banners(view_context& context) {
    client::chat_model& model = context.model;
    composer_state& composer = context.ui.composer;
    if (composer.editing) {
        ImGui::TextColored(palette::accent, "Editing a message \xE2\x80\x94 Enter saves, Esc cancels");
        ImGui::SameLine();
        if (ImGui::SmallButton("Cancel")) {
            composer.editing.reset();
            composer.text.clear();
            composer.focus_wanted = true;
        }
    }
    if (model.identity_issue() != client::identity_problem::none) {
        const char* why = model.identity_issue() == client::identity_problem::taken ? "is taken"
                          : model.identity_issue() == client::identity_problem::invalid
                              ? "is not a valid name"
                              : "cannot be used now";
        ImGui::PushStyleColor(ImGuiCol_Text, palette::bad);
        ImGui::TextWrapped("The name \"%s\" %s. Choose another in the start screen or type it here:",
                           model.wanted_name().c_str(), why);
        ImGui::PopStyleColor();
        ImGui::SetNextItemWidth(220.0f * context.scale);
        std::string& name = context.ui.start.name;
        if (input_text(context.glyphs, "##rename", name,
                       ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CharsNoBlank) &&
            is_valid_user_name(name))
            model.identify(name, context.now);
        if (ImGui::IsItemActive()) context.ui.active_field_name = "Another name";
    }
}

}  // namespace

std::string describe_length(std::size_t code_points) {
    if (code_points <= length_warning_at) return {};
    std::string text = with_thousands(code_points) + " / " + with_thousands(limits::max_text_code_points);
    if (code_points > limits::max_text_code_points)
        text += " \xE2\x80\x94 too long by " + with_thousands(code_points - limits::max_text_code_points);
    return text;
}

std::string describe_refusal(client::post_result result, const client::chat_model& model) {
    switch (result) {
        case client::post_result::sent:
        case client::post_result::queued:
            return {};
        case client::post_result::too_long:
            return "Not sent: messages are limited to " + with_thousands(limits::max_text_code_points) +
                   " characters.";
        case client::post_result::invalid:
            if (const auto* error = model.last_error();
                error && error->source == client::error_source::client)
                return "Not sent: " + error->message + ".";
            return {};  // a blank message: nothing to say, nothing to refuse
        case client::post_result::no_channel:
            return "Not sent: join a channel first.";
        case client::post_result::queue_full:
            return "Not sent: too many messages are waiting to be sent.";
        case client::post_result::not_connected:
            return "Not saved: not connected to the server.";
    }
    return {};
}

float composer_height(const view_context& context, float) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const int lines = std::clamp(line_count(context.ui.composer.text), 1, max_visible_lines);
    float height = static_cast<float>(lines) * ImGui::GetTextLineHeight() + 2.0f * style.FramePadding.y;
    height += ImGui::GetTextLineHeightWithSpacing();  // the typing line
    if (context.ui.composer.editing) height += ImGui::GetTextLineHeightWithSpacing();
    if (!context.ui.composer.refusal.empty()) height += ImGui::GetTextLineHeightWithSpacing();
    const std::string& text = context.ui.composer.text;
    if (!describe_length(count_code_points(text).value_or(text.size())).empty())
        height += ImGui::GetTextLineHeightWithSpacing();
    if (context.model.identity_issue() != client::identity_problem::none)
        height += 3.0f * ImGui::GetTextLineHeightWithSpacing() + ImGui::GetFrameHeightWithSpacing();
    return height + style.ItemSpacing.y;
}

void draw_composer(view_context& context, float width) {
    client::chat_model& model = context.model;
    composer_state& composer = context.ui.composer;
    const client::channel_state* channel = model.active();

    // Others typing: always one line tall, so the input does not jump when it appears.
    const std::string typing = channel ? client::describe_typing(channel->typing) : std::string();
    context.ui.drawn_typing = typing;
    ImGui::TextColored(palette::dim, "%s", typing.empty() ? " " : typing.c_str());

    draw_banners(context);

    const std::size_t points = count_code_points(composer.text).value_or(composer.text.size());
    const std::string length_note = describe_length(points);
    if (!composer.refusal.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette::bad);
        ImGui::TextUnformatted(composer.refusal.c_str());
        ImGui::PopStyleColor();
    }
    if (!length_note.empty())
        ImGui::TextColored(points > limits::max_text_code_points ? palette::bad : palette::warn, "%s",
                           length_note.c_str());

    const ImGuiStyle& style = ImGui::GetStyle();
    const int lines = std::clamp(line_count(composer.text), 1, max_visible_lines);
    const float height = static_cast<float>(lines) * ImGui::GetTextLineHeight() + 2.0f * style.FramePadding.y;

    if (composer.focus_wanted) {
        ImGui::SetKeyboardFocusHere();
        composer.focus_wanted = false;
    }
    // Enter sends from inside the widget, which stays active; a refused text is kept.
    const auto submit = [&](const std::string& text) {
        client::post_result result = composer.editing
                                         ? model.edit_message(*composer.editing, text, context.now)
                                         : model.post_message(text, context.now);
        composer.refusal = describe_refusal(result, model);
        const bool accepted = result == client::post_result::sent || result == client::post_result::queued;
        if (accepted) {
            if (!composer.editing && channel) {
                auto list = context.ui.lists.find(channel->name);
                if (list != context.ui.lists.end()) list->second.jump_to_bottom = true;
            }
            composer.editing.reset();
        }
        return accepted;
    };
    const chat_input_result input =
        input_chat_message(context.glyphs, "##composer", composer.text, ImVec2(width, height), submit);
    const bool active = ImGui::IsItemActive();
    context.ui.composer_focused = active;
    if (active) {
        context.ui.active_field_name = composer.editing ? "Edit message"
                                       : channel        ? "Message #" + channel->name
                                                        : "Message";
    }
    // The field stays active through Enter; should anything have taken focus in the same
    // frame, sending still leaves the input focused.
    if (input.submitted && !active) composer.focus_wanted = true;

    if (composer.text.empty() && !active) {
        const ImVec2 min = ImGui::GetItemRectMin();
        const std::string hint =
            channel ? "Message #" + channel->name : std::string("Join a channel to chat");
        ImGui::GetWindowDrawList()->AddText(
            ImVec2(min.x + style.FramePadding.x, min.y + style.FramePadding.y),
            ImGui::GetColorU32(palette::dim), hint.c_str());
    }
    if (input.edited && !input.submitted) {
        composer.refusal.clear();
        if (!composer.editing && !composer.text.empty()) model.note_typing(context.now);
    }
    // Escape leaves the field (ImGui's own handling); while editing it also abandons the edit.
    if (composer.editing && ImGui::IsItemDeactivated() &&
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
        composer.editing.reset();
        composer.text.clear();
        composer.focus_wanted = true;
    }
}

}  // namespace parley::ui
