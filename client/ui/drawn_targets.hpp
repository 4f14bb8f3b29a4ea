#pragma once
// Naming what the views draw that a person can click, so end-to-end tests click the real
// button wherever the layout puts it (see drawn_target in ui_state.hpp).

#include <string>
#include <vector>

#include <imgui.h>

#include "ui_state.hpp"

namespace parley::ui {

/// Records the last ImGui item (the button or tab just submitted) as `name`. Main thread,
/// inside a frame. A few dozen per frame at most: the cost is one vector push.
void note_target(std::vector<drawn_target>& targets, std::string name);

/// Records the area from `min` to `max` (screen coordinates) as `name`: something drawn
/// that is not an ImGui item, such as a message's text (the tests read it back by OCR).
void note_area(std::vector<drawn_target>& targets, std::string name, ImVec2 min, ImVec2 max);

}  // namespace parley::ui
