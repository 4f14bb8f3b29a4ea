#pragma once
// The start screen's name and password as the page's own form fields, so that a password
// manager finds (autocomplete="username" / "current-password"), fills and saves them and
// a screen reader names them: in the browser a real <form> lies over the ImGui fields,
// invisible, and takes the keyboard focus while one of them is edited
// (sign_in_fields_web.cpp). Natively nothing: the desktop's password managers fill no
// GLFW window.

#include <optional>
#include <string>

struct GLFWwindow;

namespace parley::platform {

/// Makes the page's form (the browser) for `window`'s loop. Called once by imgui_backend,
/// after the text entry it builds on (install_text_field).
void install_sign_in_fields(GLFWwindow* window);

/// What the start screen shows this frame.
struct sign_in_frame {
    bool shown = false;  ///< the start screen with its name and password fields is up
    enum class field { none, name, password } active = field::none;
    float name_rect[4] = {};      ///< x, y, width, height in ImGui coordinates
    float password_rect[4] = {};  ///< the same for the password field
    std::string name;             ///< the fields' current values
    std::string password;
};

/// Values put into the page's fields from outside (a password manager) since the last call.
struct sign_in_fill {
    std::optional<std::string> name;
    std::optional<std::string> password;
};

/// Lays the page's fields over the ImGui ones (or hides them) and returns what was filled
/// in. Main thread; once a frame, before the frame is drawn.
sign_in_fill sync_sign_in_fields(const sign_in_frame& frame);

/// The sign-in form was submitted (Sign in or Create account): lets a password manager
/// offer to save what is in it.
void sign_in_submitted();

}  // namespace parley::platform
