// The desktop window: GLFW with an OpenGL 3.3 core context and vsync.

#include "window.hpp"

#include <algorithm>

#include <GLFW/glfw3.h>

#include "shader_sources.hpp"

namespace parley::platform {
namespace {

// First size of the window, in logical pixels: room for sidebar, messages and users.
constexpr int initial_width = 1100;
constexpr int initial_height = 720;

}  // namespace

std::variant<std::unique_ptr<app_window>, std::string> app_window::open(const std::string& title) {
    if (!glfwInit())
        return std::string("cannot initialise GLFW (is there a display? DISPLAY is unset or unreachable)");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    // Window coordinates in logical pixels where the platform scales them (macOS, Wayland).
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
    GLFWwindow* window = glfwCreateWindow(initial_width, initial_height, title.c_str(), nullptr, nullptr);
    if (!window) {
        glfwTerminate();
        return std::string("cannot create a window with an OpenGL 3.3 core context");
    }
    // Scaled to a dense monitor, the window may outgrow a small screen: keep it on it.
    if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) {
        int x = 0, y = 0, width = 0, height = 0, window_width = 0, window_height = 0;
        glfwGetMonitorWorkarea(monitor, &x, &y, &width, &height);
        glfwGetWindowSize(window, &window_width, &window_height);
        if (width > 0 && height > 0 && (window_width > width || window_height > height))
            glfwSetWindowSize(window, std::min(window_width, width), std::min(window_height, height));
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);  // vsync: a burst of frames never outruns the display
    return std::unique_ptr<app_window>(new app_window(window));
}

app_window::~app_window() {
    glfwDestroyWindow(window_);
    glfwTerminate();
}

float app_window::content_scale() const {
    float x = 1.0f;
    float y = 1.0f;
    glfwGetWindowContentScale(window_, &x, &y);
    return x > 0.0f ? x : 1.0f;
}

glsl_dialect app_window::dialect() const {
    return {shaders::prelude_gl330, "#version 330 core"};
}

void app_window::present() {
    glfwSwapBuffers(window_);
}

}  // namespace parley::platform
