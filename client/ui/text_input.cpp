#include "text_input.hpp"

namespace parley::ui {
namespace {

struct callback_data {
    std::string* text;
    text::glyph_atlas* glyphs;
};

/// The edit buffer as it will be drawn: ImGui calls back after applying this frame's keys,
/// characters and paste, before it draws.
void ensure_glyphs(text::glyph_atlas& glyphs, const ImGuiInputTextCallbackData* data) {
    glyphs.ensure(std::string_view(data->Buf, static_cast<std::size_t>(data->BufTextLen)));
}

int on_input_event(ImGuiInputTextCallbackData* data) {
    auto* context = static_cast<callback_data*>(data->UserData);
    if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
        // ImGui asks for room for BufTextLen bytes plus the terminator, then copies the text in.
        context->text->resize(static_cast<std::size_t>(data->BufTextLen));
        data->Buf = context->text->data();
    } else if (data->EventFlag == ImGuiInputTextFlags_CallbackAlways) {
        ensure_glyphs(*context->glyphs, data);
    }
    return 0;
}

/// ImGui's buffer size for `text`: its capacity plus the terminator std::string keeps.
std::size_t buffer_size(std::string& text) {
    if (text.capacity() < 64) text.reserve(64);
    return text.capacity() + 1;
}

struct chat_callback_data {
    std::string* text;
    text::glyph_atlas* glyphs;
    const std::function<bool(const std::string&)>* submit;
    chat_input_result result;
    bool enter = false;  ///< Enter was filtered out this frame; submit at the next event
};

int on_chat_input_event(ImGuiInputTextCallbackData* data) {
    auto* context = static_cast<chat_callback_data*>(data->UserData);
    switch (data->EventFlag) {
        case ImGuiInputTextFlags_CallbackResize:
            context->text->resize(static_cast<std::size_t>(data->BufTextLen));
            data->Buf = context->text->data();
            return 0;
        case ImGuiInputTextFlags_CallbackCharFilter:
            // ImGui turns Enter into '\n' in a multi-line field; without Shift it means "send".
            if (data->EventChar == '\n' && !ImGui::GetIO().KeyShift) {
                context->enter = true;
                return 1;  // drop the character
            }
            return 0;
        case ImGuiInputTextFlags_CallbackEdit:
            context->result.edited = true;
            [[fallthrough]];
        case ImGuiInputTextFlags_CallbackAlways:
            // One of these follows the key handling in the same frame, with the edit buffer.
            ensure_glyphs(*context->glyphs, data);
            if (context->enter) {
                context->enter = false;
                context->result.submitted = true;
                const std::string value(data->Buf, static_cast<std::size_t>(data->BufTextLen));
                if ((*context->submit)(value)) data->DeleteChars(0, data->BufTextLen);
            }
            return 0;
        default:
            return 0;
    }
}

}  // namespace

chat_input_result input_chat_message(text::glyph_atlas& glyphs, const char* label, std::string& text,
                                     const ImVec2& size,
                                     const std::function<bool(const std::string&)>& submit) {
    glyphs.ensure(text);
    chat_callback_data context{&text, &glyphs, &submit, {}};
    const std::size_t buffer = buffer_size(text);
    ImGui::InputTextMultiline(label, text.data(), buffer, size,
                              ImGuiInputTextFlags_CallbackResize | ImGuiInputTextFlags_CallbackCharFilter |
                                  ImGuiInputTextFlags_CallbackEdit | ImGuiInputTextFlags_CallbackAlways,
                              on_chat_input_event, &context);
    return context.result;
}

bool input_text(text::glyph_atlas& glyphs, const char* label, std::string& text, ImGuiInputTextFlags flags) {
    glyphs.ensure(text);
    callback_data context{&text, &glyphs};
    const std::size_t size = buffer_size(text);
    return ImGui::InputText(label, text.data(), size,
                            flags | ImGuiInputTextFlags_CallbackResize | ImGuiInputTextFlags_CallbackAlways,
                            on_input_event, &context);
}

}  // namespace parley::ui
