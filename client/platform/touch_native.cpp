// The desktop's GLFW knows a mouse and a wheel, which ImGui takes as they are: no touch
// gestures to translate (touch screens on X11 arrive as a mouse already).

#include "imgui_backend.hpp"

namespace parley::platform {

void install_touch(GLFWwindow*) {}

void apply_touch() {}

bool touch_animating() {
    return false;
}

}  // namespace parley::platform
