// The desktop loop: sleeps in glfwWaitEvents until input, a wake() (glfwPostEmptyEvent
// from the transport thread) or the next deadline, then runs a few frames and sleeps again.

#include "main_loop.hpp"

#include <GLFW/glfw3.h>

#include <algorithm>

namespace parley::platform {

struct main_loop::state {};

main_loop::main_loop(GLFWwindow* window) : window_(window), state_(std::make_unique<state>()) {}

main_loop::~main_loop() = default;

std::shared_ptr<main_loop> main_loop::create(GLFWwindow* window) {
    return std::shared_ptr<main_loop>(new main_loop(window));
}

void main_loop::wake() {
    // Only one empty event is needed per wait; skip posting while one is pending.
    if (!woken_.exchange(true)) glfwPostEmptyEvent();
}

// Every input natively comes through GLFW, which wakes the loop itself.
void main_loop::input_arrived(GLFWwindow*) {}

void main_loop::run(frame_function frame) {
    int settle = settle_frames;
    std::optional<loop_clock::time_point> deadline;
    while (!glfwWindowShouldClose(window_)) {
        if (settle > 0) {
            glfwPollEvents();
        } else if (deadline) {
            const auto wait = std::chrono::duration<double>(*deadline - loop_clock::now()).count();
            glfwWaitEventsTimeout(std::max(wait, 0.0));
            settle = settle_frames;
        } else {
            glfwWaitEvents();
            settle = settle_frames;
        }
        woken_.store(false);
        const frame_outcome outcome = frame();
        if (outcome.quit) break;
        deadline = outcome.next_deadline;
        settle = outcome.animating ? std::max(settle, 1) : settle - 1;
    }
}

}  // namespace parley::platform
