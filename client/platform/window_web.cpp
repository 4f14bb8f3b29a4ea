// The browser window: Emscripten's GLFW on the page's canvas with a WebGL2 context.
// The canvas's drawing buffer follows its CSS size times devicePixelRatio (main_loop_web).

#include "window.hpp"

#include <GLFW/glfw3.h>
#include <emscripten.h>

#include "shader_sources.hpp"

namespace parley::platform {
namespace {

// clang-format off
EM_JS(double, parley_device_pixel_ratio, (), { return window.devicePixelRatio || 1; });
// clang-format on
// Tells the page the client failed before its first frame, so it shows why (index.html).
// clang-format off
EM_JS(void, parley_report_fatal, (const char* text), {
    if (Module['parleyFatal']) Module['parleyFatal'](UTF8ToString(text));
});
// clang-format on

}  // namespace

std::variant<std::unique_ptr<app_window>, std::string> app_window::open(const std::string& title) {
    const auto fail = [](const char* why) {
        parley_report_fatal(why);
        return std::string(why);
    };
    if (!glfwInit()) return fail("cannot initialise the canvas");
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    // The first size is replaced by the canvas's CSS size on the first frame.
    GLFWwindow* window = glfwCreateWindow(640, 480, title.c_str(), nullptr, nullptr);
    if (!window) {
        glfwTerminate();
        return fail("this browser cannot create a WebGL2 context");
    }
    glfwMakeContextCurrent(window);
    return std::unique_ptr<app_window>(new app_window(window));
}

app_window::~app_window() {
    glfwDestroyWindow(window_);
    glfwTerminate();
}

float app_window::content_scale() const {
    return static_cast<float>(parley_device_pixel_ratio());
}

glsl_dialect app_window::dialect() const {
    return {shaders::prelude_es300, "#version 300 es"};
}

void app_window::present() {}

}  // namespace parley::platform
