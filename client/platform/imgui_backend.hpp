#pragma once
// Dear ImGui's platform and renderer glue for one window: the GLFW and OpenGL 3 backends,
// initialised for the window's GLSL dialect, plus the clipboard where GLFW lacks one
// (the browser: clipboard_web.cpp).

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

private:
    app_window& window_;
};

/// Gives ImGui a clipboard where the platform's GLFW has none. Called by imgui_backend.
void install_clipboard();

}  // namespace parley::platform
