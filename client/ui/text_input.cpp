#include "text_input.hpp"

namespace parley::ui {
namespace {

struct callback_data {
    std::string* text;
    bool edited = false;
};

int on_input_event(ImGuiInputTextCallbackData* data) {
    auto* context = static_cast<callback_data*>(data->UserData);
    if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
        // ImGui asks for room for BufTextLen bytes plus the terminator, then copies the text in.
        context->text->resize(static_cast<std::size_t>(data->BufTextLen));
        data->Buf = context->text->data();
    } else if (data->EventFlag == ImGuiInputTextFlags_CallbackEdit) {
        context->edited = true;
    }
    return 0;
}

/// ImGui's buffer size for `text`: its capacity plus the terminator std::string keeps.
std::size_t buffer_size(std::string& text) {
    if (text.capacity() < 64) text.reserve(64);
    return text.capacity() + 1;
}

}  // namespace

bool input_text(const char* label, std::string& text, ImGuiInputTextFlags flags) {
    callback_data context{&text};
    const std::size_t size = buffer_size(text);
    return ImGui::InputText(label, text.data(), size, flags | ImGuiInputTextFlags_CallbackResize, on_input_event,
                            &context);
}

bool input_text_multiline(const char* label, std::string& text, const ImVec2& size, ImGuiInputTextFlags flags,
                          bool& edited) {
    callback_data context{&text};
    const std::size_t buffer = buffer_size(text);
    const bool result = ImGui::InputTextMultiline(
        label, text.data(), buffer, size,
        flags | ImGuiInputTextFlags_CallbackResize | ImGuiInputTextFlags_CallbackEdit, on_input_event, &context);
    edited = context.edited;
    return result;
}

}  // namespace parley::ui
