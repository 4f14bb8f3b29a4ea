// The desktop clipboard is GLFW's, which ImGui's GLFW backend already uses.

#include "imgui_backend.hpp"

namespace parley::platform {

void install_clipboard() {}

}  // namespace parley::platform
