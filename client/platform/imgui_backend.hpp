#pragma once
// Dear ImGui's platform and renderer glue for one window: the GLFW and OpenGL 3 backends,
// initialised for the window's GLSL dialect, plus what the platform's GLFW gets wrong or
// lacks (backend_extras_web.cpp: the clipboard, the mouse wheel's direction and units).
//
// ImGui 1.86 reads key state once per frame, so a key pressed and released between two
// frames (a quick tap, xdotool, a test driver) would never be seen. The backend holds back
// such a release until the frame after the one that saw the press.

struct GLFWwindow;

#include <array>
#include <string>
#include <vector>

namespace parley::platform {

class app_window;

/// Owns the ImGui context and its backends. Main thread only; create after the main_loop
/// (so ImGui's GLFW callbacks chain to the loop's), destroy before the window.
class imgui_backend {
public:
    explicit imgui_backend(app_window& window);
    ~imgui_backend();
    imgui_backend(const imgui_backend&) = delete;
    imgui_backend& operator=(const imgui_backend&) = delete;

    /// Starts a frame: reads input and the window size into ImGui, then ImGui::NewFrame.
    void new_frame();

    /// Clears the screen and draws what the frame built.
    void render();

    /// Re-uploads the font atlas after the app rebuilt it (a new content scale).
    void rebuild_font_texture();

    /// Uploads rows [first_row, end_row) of the font atlas, where glyphs were added since.
    void update_font_texture(int first_row, int end_row);

    /// Something the backend animates (a flicked list) wants the next frame at once.
    bool animating() const;

private:
    /// A key release held back until a frame has seen the press.
    struct held_release {
        int key;
        int scancode;
        int mods;
    };
    static void on_key(GLFWwindow* window, int key, int scancode, int action, int mods);

    app_window& window_;
    std::vector<held_release> held_;  ///< since this frame started
    std::vector<held_release> due_;   ///< from before it: released at the next frame
    /// Keys pressed since the last frame started (GLFW key codes are below 512).
    std::array<bool, 512> pressed_since_frame_{};
};

/// Fixes up the platform's GLFW for ImGui after its backend is installed: natively nothing,
/// in the browser a clipboard and a corrected mouse wheel. Called by imgui_backend.
void install_backend_extras(GLFWwindow* window);

/// The browser's text entry (text_field_web.cpp): a DOM field that takes input methods'
/// and touch keyboards' text while an ImGui field is active. Natively nothing: GLFW
/// delivers an input method's text as characters. Called by imgui_backend: install once
/// (then the sign-in fields, sign_in_fields.hpp), sync after every frame.
void install_text_field(GLFWwindow* window);
void sync_text_field();
/// What the ImGui field being edited is called ("Message #general"): the page's text entry
/// takes it as its accessible name. Called by the app each frame.
void name_text_field(const std::string& name);

/// Touch (touch_web.cpp): a drag or a flick scrolls what is under the finger, a long press
/// is a right click there. Natively nothing. Called by imgui_backend: install once, apply
/// at each frame's start (after the GLFW backend read the mouse); touch_animating() says a
/// flick still needs frames.
void install_touch(GLFWwindow* window);
void apply_touch();
bool touch_animating();

}  // namespace parley::platform
