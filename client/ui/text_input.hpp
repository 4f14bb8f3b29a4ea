#pragma once
// ImGui text inputs over std::string (ImGui's own take a fixed char buffer). Each makes
// its text's glyphs drawable (typed, pasted or composed) before ImGui draws it.

#include <functional>
#include <string>

#include <imgui.h>

#include "glyph_atlas.hpp"

namespace parley::ui {

/// A one-line input editing `text`. Returns what ImGui::InputText returns.
bool input_text(text::glyph_atlas& glyphs, const char* label, std::string& text,
                ImGuiInputTextFlags flags = 0);

/// What a chat input did this frame.
struct chat_input_result {
    bool edited = false;     ///< the user changed the text
    bool submitted = false;  ///< Enter was pressed and `submit` was called
};

/// The message input: a multi-line field where Enter calls `submit` with the text (which
/// returns whether to clear it: a refused text stays to be corrected) and Shift+Enter
/// inserts a new line. Unlike ImGui's EnterReturnsTrue it stays active across Enter, so
/// the characters typed right after sending are not lost while focus comes back.
chat_input_result input_chat_message(text::glyph_atlas& glyphs, const char* label, std::string& text,
                                     const ImVec2& size,
                                     const std::function<bool(const std::string&)>& submit);

}  // namespace parley::ui
