#include "drawn_targets.hpp"

#include <imgui.h>

#include <utility>

namespace parley::ui {

void note_target(std::vector<drawn_target>& targets, std::string name) {
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    note_area(targets, std::move(name), min, max);
}

void note_area(std::vector<drawn_target>& targets, std::string name, ImVec2 min, ImVec2 max) {
    targets.push_back({std::move(name), min.x, min.y, max.x - min.x, max.y - min.y});
}

}  // namespace parley::ui
