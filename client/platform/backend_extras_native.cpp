// The desktop GLFW gives ImGui all it needs (clipboard, wheel): nothing to fix.

#include "imgui_backend.hpp"

namespace parley::platform {

void install_backend_extras(GLFWwindow*) {}

}  // namespace parley::platform
