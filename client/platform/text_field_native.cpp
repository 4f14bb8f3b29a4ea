// On the desktop GLFW takes committed text from the input method (XIM on X11, IBus and
// fcitx through it) as characters, which ImGui's backend types: nothing to bridge.

#include "imgui_backend.hpp"

namespace parley::platform {

void install_text_field(GLFWwindow*) {}

void sync_text_field() {}

void name_text_field(const std::string&) {}

}  // namespace parley::platform
