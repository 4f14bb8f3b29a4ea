// The browser loop: the page calls `tick` on every animation frame; a tick draws only when
// something changed (input, a wake() from a WebSocket callback, a deadline, the canvas
// size), so an idle tab does no GL work. A hidden tab gets no animation frames at all, so
// a wake() there runs the frame from a timeout instead: the model still answers heartbeats.

#include "main_loop.hpp"

#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <algorithm>
#include <utility>

namespace parley::platform {
namespace {

// The canvas's CSS size times devicePixelRatio: the drawing buffer that makes text sharp.
// clang-format off
EM_JS(int, parley_canvas_pixel_width, (), {
    var c = Module['canvas'];
    return Math.max(1, Math.round(c.getBoundingClientRect().width * (window.devicePixelRatio || 1)));
});
EM_JS(int, parley_canvas_pixel_height, (), {
    var c = Module['canvas'];
    return Math.max(1, Math.round(c.getBoundingClientRect().height * (window.devicePixelRatio || 1)));
});
// clang-format on
// Resizes the drawing buffer through Emscripten's Browser object, whose resize listeners
// update the GLFW window's size and call its size callbacks.
// clang-format off
EM_JS(void, parley_set_canvas_pixel_size, (int width, int height), {
    Browser.setCanvasSize(width, height);
});
EM_JS(int, parley_document_hidden, (), { return document.hidden ? 1 : 0; });
// clang-format on

}  // namespace

struct main_loop::state {
    GLFWwindow* window = nullptr;
    std::atomic<bool>* woken = nullptr;
    frame_function frame;
    /// Set by run(): the browser owns the loop for the page's lifetime, so the loop owns
    /// itself from then on (a deliberate cycle, never broken).
    std::shared_ptr<main_loop> self;
    int settle = settle_frames;
    bool input_seen = false;
    bool hidden_tick_scheduled = false;
    bool animating = false;
    std::optional<loop_clock::time_point> deadline;
    int canvas_width = 0;
    int canvas_height = 0;
};

namespace {

main_loop::state* loop_state(GLFWwindow* window) {
    return static_cast<main_loop::state*>(glfwGetWindowUserPointer(window));
}

// Input callbacks: only note that a frame is due. ImGui's backend, installed after these,
// chains to them and does the real work.
void on_key(GLFWwindow* w, int, int, int, int) {
    loop_state(w)->input_seen = true;
}
void on_char(GLFWwindow* w, unsigned int) {
    loop_state(w)->input_seen = true;
}
void on_button(GLFWwindow* w, int, int, int) {
    loop_state(w)->input_seen = true;
}
void on_scroll(GLFWwindow* w, double, double) {
    loop_state(w)->input_seen = true;
}
void on_cursor(GLFWwindow* w, double, double) {
    loop_state(w)->input_seen = true;
}
void on_focus(GLFWwindow* w, int) {
    loop_state(w)->input_seen = true;
}
void on_enter(GLFWwindow* w, int) {
    loop_state(w)->input_seen = true;
}

}  // namespace

void main_loop::input_arrived(GLFWwindow* window) {
    if (main_loop::state* s = window ? loop_state(window) : nullptr) s->input_seen = true;
}

namespace {

/// One turn: resize the canvas to its CSS box, then draw if anything is due.
void tick(main_loop::state& s) {
    const int width = parley_canvas_pixel_width();
    const int height = parley_canvas_pixel_height();
    bool due = false;
    if (width != s.canvas_width || height != s.canvas_height) {
        s.canvas_width = width;
        s.canvas_height = height;
        parley_set_canvas_pixel_size(width, height);
        due = true;
    }
    if (std::exchange(s.input_seen, false)) due = true;
    if (s.woken->exchange(false)) due = true;
    if (s.deadline && loop_clock::now() >= *s.deadline) due = true;
    if (due) s.settle = settle_frames;
    if (s.settle <= 0 && !s.animating) return;

    const frame_outcome outcome = s.frame();
    s.deadline = outcome.next_deadline;
    s.animating = outcome.animating;
    s.settle -= 1;
}

void hidden_frame(void* arg);

/// Animation frames stop in a hidden tab; a timeout runs the frame instead, so the model
/// keeps up with the server (heartbeats, reconnects) while nobody looks.
void schedule_hidden_tick(main_loop::state& s, int delay_ms) {
    if (s.hidden_tick_scheduled || !s.frame || !parley_document_hidden()) return;
    s.hidden_tick_scheduled = true;
    emscripten_async_call(hidden_frame, &s, delay_ms);
}

void hidden_frame(void* arg) {
    auto& s = *static_cast<main_loop::state*>(arg);
    s.hidden_tick_scheduled = false;
    if (!parley_document_hidden()) return;  // animation frames have taken over again
    tick(s);
    if (s.deadline) {
        const auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(*s.deadline - loop_clock::now());
        schedule_hidden_tick(s, static_cast<int>(std::max<long long>(wait.count(), 0)));
    }
}

void animation_frame(void* arg) {
    tick(*static_cast<main_loop::state*>(arg));
}

}  // namespace

main_loop::main_loop(GLFWwindow* window) : window_(window), state_(std::make_unique<state>()) {
    state_->window = window_;
    state_->woken = &woken_;
    glfwSetWindowUserPointer(window_, state_.get());
    glfwSetKeyCallback(window_, on_key);
    glfwSetCharCallback(window_, on_char);
    glfwSetMouseButtonCallback(window_, on_button);
    glfwSetScrollCallback(window_, on_scroll);
    glfwSetCursorPosCallback(window_, on_cursor);
    glfwSetWindowFocusCallback(window_, on_focus);
    glfwSetCursorEnterCallback(window_, on_enter);
}

main_loop::~main_loop() = default;

std::shared_ptr<main_loop> main_loop::create(GLFWwindow* window) {
    return std::shared_ptr<main_loop>(new main_loop(window));
}

void main_loop::wake() {
    woken_.store(true);
    schedule_hidden_tick(*state_, 0);
}

void main_loop::run(frame_function frame) {
    state_->frame = std::move(frame);
    state_->self = shared_from_this();
    emscripten_set_main_loop_arg(animation_frame, state_.get(), 0, 1);
}

}  // namespace parley::platform
