#pragma once
// The application window and its OpenGL context: a desktop window with GL 3.3 core
// (window_native.cpp) or the page's canvas with WebGL2 (window_web.cpp).

#include <memory>
#include <string>
#include <string_view>
#include <variant>

struct GLFWwindow;

namespace parley::platform {

/// The window's GLSL flavour: the `#version` line prepended to Parley's shaders and
/// the one ImGui's OpenGL 3 backend is initialised with.
struct glsl_dialect {
    std::string_view shader_prelude;  ///< shaders/prelude_gl330.glsl or prelude_es300.glsl
    const char* imgui_version;        ///< e.g. "#version 330 core"
};

/// A created window. Owns the GLFW window and GLFW itself; main thread only.
class app_window {
public:
    /// Opens a window (native) or takes the page's canvas (web). Errors are values: the text
    /// says what failed (no display, no GL 3.3, no WebGL2).
    static std::variant<std::unique_ptr<app_window>, std::string> open(const std::string& title);

    GLFWwindow* handle() const { return window_; }

    /// Physical pixels per logical 96-dpi pixel: GLFW's content scale natively,
    /// devicePixelRatio in the browser. Fonts are rasterised at 16 px times this.
    float content_scale() const;

    /// The shader dialect of this window's context.
    glsl_dialect dialect() const;

    /// Shows the frame just drawn (native: swaps buffers; web: the browser composites).
    void present();

    ~app_window();
    app_window(const app_window&) = delete;
    app_window& operator=(const app_window&) = delete;

private:
    explicit app_window(GLFWwindow* window) : window_(window) {}
    GLFWwindow* window_;
};

}  // namespace parley::platform
