// Touch in the browser. Emscripten's GLFW turns a touch into a mouse press only when it
// ends (the browser's emulated click), and never turns a moving finger into a moving
// cursor, so a drag scrolled nothing and a long press did nothing. The canvas's touch
// events go to touch_gestures instead (the canvas takes no panning of its own: CSS
// touch-action), and each frame what it decided is given to ImGui: a drag or a flick as
// the mouse wheel at the finger, a long press as a right click there. Taps still come
// as the browser's emulated clicks.

#include "imgui_backend.hpp"

#include <emscripten.h>
#include <imgui.h>

#include <optional>

#include "main_loop.hpp"
#include "touch_gestures.hpp"

namespace {

/// The page's one touch interpreter, made by install_touch.
std::optional<parley::platform::touch_gestures> gestures;
GLFWwindow* touch_window = nullptr;
bool right_click_held = false;  ///< a long press's right button, released the next frame

// clang-format off
EM_JS(int, parley_touch_install, (), {
    var canvas = Module['canvas'];
    var send = function(kind, event) {
        var ratio = window.devicePixelRatio || 1;
        var touch = event.changedTouches[0];
        var box = canvas.getBoundingClientRect();
        _parley_on_touch(kind, (touch.clientX - box.left) * ratio, (touch.clientY - box.top) * ratio, performance.now());
    };
    canvas.addEventListener('touchstart', function(event) {
        send(event.touches.length === 1 ? 0 : 3, event);
    }, {passive: true});
    canvas.addEventListener('touchmove', function(event) {
        if (event.touches.length === 1) send(1, event);
    }, {passive: true});
    canvas.addEventListener('touchend', function(event) { send(2, event); }, {passive: true});
    canvas.addEventListener('touchcancel', function(event) { send(3, event); }, {passive: true});
    // Reduced motion: a flick stops when the finger lifts.
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 0 : 1;
});
// clang-format on

}  // namespace

/// The canvas's touch events, in drawing-buffer pixels (0 start, 1 move, 2 end, 3 cancel
/// or a second finger); main thread.
extern "C" EMSCRIPTEN_KEEPALIVE void parley_on_touch(int kind, float x, float y, double ms) {
    if (!gestures) return;
    const parley::platform::touch_gestures::point at{x, y};
    if (kind == 0) gestures->start(at, ms);
    if (kind == 1) gestures->move(at, ms);
    if (kind == 2) gestures->end(ms);
    if (kind == 3) gestures->cancel();
    parley::platform::main_loop::input_arrived(touch_window);
}

namespace parley::platform {

void install_touch(GLFWwindow* window) {
    touch_window = window;
    gestures.emplace(parley_touch_install() != 0);
}

void apply_touch() {
    if (!gestures) return;
    ImGuiIO& io = ImGui::GetIO();
    if (right_click_held) {
        io.MouseDown[ImGuiMouseButton_Right] = false;
        right_click_held = false;
    }
    if (const auto at = gestures->dragging_at()) io.MousePos = ImVec2(at->x, at->y);
    if (const float pixels = gestures->take_scroll(); pixels != 0.0f) {
        // ImGui scrolls a window by five lines a wheel notch.
        const ImFont* font = io.Fonts->Fonts.empty() ? nullptr : io.Fonts->Fonts[0];
        const float line = font ? font->FontSize * io.FontGlobalScale : 16.0f;
        io.MouseWheel += pixels / (5.0f * line);
    }
    if (const auto press = gestures->take_long_press()) {
        io.MousePos = ImVec2(press->x, press->y);
        io.MouseDown[ImGuiMouseButton_Right] = true;
        right_click_held = true;
    }
}

bool touch_animating() {
    return gestures && gestures->animating();
}

}  // namespace parley::platform
