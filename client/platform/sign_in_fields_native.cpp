// Nothing natively: the desktop's password managers and screen readers see no fields in a
// GLFW window (sign_in_fields.hpp).

#include "sign_in_fields.hpp"

namespace parley::platform {

void install_sign_in_fields(GLFWwindow*) {}

sign_in_fill sync_sign_in_fields(const sign_in_frame&) {
    return {};
}

void sign_in_submitted() {}

}  // namespace parley::platform
