#pragma once
// ImGui text inputs over std::string (ImGui's own take a fixed char buffer).

#include <string>

#include <imgui.h>

namespace parley::ui {

/// A one-line input editing `text`. Returns what ImGui::InputText returns.
bool input_text(const char* label, std::string& text, ImGuiInputTextFlags flags = 0);

/// A multi-line input editing `text`; `edited` is set when the user changed the text.
/// Returns what ImGui::InputTextMultiline returns (true on Enter with EnterReturnsTrue).
bool input_text_multiline(const char* label, std::string& text, const ImVec2& size, ImGuiInputTextFlags flags,
                          bool& edited);

}  // namespace parley::ui
