// The one main of the Parley client, native and web alike: read where to connect, open
// the window, and hand frames to the main loop. Platform differences live in
// client/platform (sibling files picked by CMake), not here.

#include <cstdio>
#include <memory>
#include <variant>

#include "client_app.hpp"
#include "imgui_backend.hpp"
#include "launch.hpp"
#include "main_loop.hpp"
#include "window.hpp"

namespace {

/// Everything a frame needs, destroyed in reverse order of creation.
struct session {
    std::unique_ptr<parley::platform::app_window> window;
    std::unique_ptr<parley::platform::imgui_backend> backend;
    std::unique_ptr<parley::app::client_app> app;

    ~session() {
        app.reset();
        backend.reset();
        window.reset();
    }
};

}  // namespace

int main(int argc, char** argv) {
    using namespace parley;
    auto launch = platform::read_launch_settings(argc, argv);
    if (const auto* exit = std::get_if<options::launch_exit>(&launch)) {
        std::fputs(exit->text.c_str(), exit->code == 0 ? stdout : stderr);
        return exit->code;
    }

    auto opened = platform::app_window::open("Parley");
    if (const auto* problem = std::get_if<std::string>(&opened)) {
        std::fprintf(stderr, "parley: %s\n", problem->c_str());
        return 1;
    }
    auto state = std::make_shared<session>();
    state->window = std::move(std::get<0>(opened));
    // The loop first: its input callbacks must be installed before ImGui's chain to them.
    const auto loop = platform::main_loop::create(state->window->handle());
    state->backend = std::make_unique<platform::imgui_backend>(*state->window);
    state->app = std::make_unique<app::client_app>(*state->window, *state->backend, loop,
                                                   std::get<options::launch_settings>(std::move(launch)));
    // The frame owns the session: in the browser run() never returns and main's stack is gone.
    loop->run([state] { return state->app->frame(); });
    return 0;
}
