#pragma once
// The main loop: one API, two siblings picked by CMake. main_loop_native.cpp waits on GLFW
// events; main_loop_web.cpp runs on the browser's animation frames. Either way a frame runs
// only when something changed — input, a wake() from the network, a deadline the app asked
// for, or a few frames after any of those so ImGui's layout settles. Idle is idle.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

struct GLFWwindow;

namespace parley::platform {

using loop_clock = std::chrono::steady_clock;

/// What a frame asks of the loop for the next one.
struct frame_outcome {
    /// Leave the loop (native); the browser's loop ends only with the page.
    bool quit = false;
    /// Run a frame no later than this (a reconnect countdown, a typing notice expiring).
    std::optional<loop_clock::time_point> next_deadline;
    /// Run the next frame at once (an animation, a scroll still moving).
    bool animating = false;
};

/// The app's frame: polls its model, draws, presents. Called on the main thread only.
using frame_function = std::function<frame_outcome()>;

/// Drives frames for one window. Created by main and shared with whoever wakes it.
class main_loop : public std::enable_shared_from_this<main_loop> {
public:
    /// A loop for `window`, which must outlive it. Install before ImGui's GLFW backend so
    /// the backend chains to the loop's input callbacks (the web loop listens to input).
    static std::shared_ptr<main_loop> create(GLFWwindow* window);

    /// Asks for a frame soon, e.g. because a network event is waiting. Any thread may call
    /// it; natively it posts an empty GLFW event, which wakes a loop waiting for input.
    void wake();

    /// Input that reached ImGui outside GLFW's callbacks (the page's own text fields, its
    /// paste event) for the loop of `window`: makes the next turn draw. Main thread.
    static void input_arrived(GLFWwindow* window);

    /// Runs frames until one returns `quit` (native). In the browser it hands the loop to
    /// the page and never returns: `frame` must own everything it uses, because main's
    /// stack is gone by the time the browser calls it.
    void run(frame_function frame);

    ~main_loop();
    main_loop(const main_loop&) = delete;
    main_loop& operator=(const main_loop&) = delete;

    /// Platform state; defined by the sibling source. Public only so its callbacks can reach it.
    struct state;

private:
    explicit main_loop(GLFWwindow* window);

    GLFWwindow* window_;
    std::atomic<bool> woken_{false};
    std::unique_ptr<state> state_;
};

/// Frames run after any trigger so ImGui settles: hover, focus and layout changes take
/// effect one frame after the input that caused them, and a window's size one more.
inline constexpr int settle_frames = 3;

}  // namespace parley::platform
