// Browser probe: the page (and Playwright) calls Module._parley_visible_state(), which
// returns the latest snapshot as a UTF-8 C string owned by the client.

#include "state_probe.hpp"

#include <emscripten.h>

#include <utility>

namespace {

// The one snapshot, owned here for the page's lifetime: the exported C function below has
// no other way to reach it.
std::string& latest_snapshot() {
    static std::string snapshot = "{}";
    return snapshot;
}

}  // namespace

/// The latest visible-state JSON; valid until the next frame. Called from JavaScript.
extern "C" EMSCRIPTEN_KEEPALIVE const char* parley_visible_state() {
    return latest_snapshot().c_str();
}

namespace parley::platform {

bool state_probe_enabled() {
    return true;
}

void publish_visible_state(std::string json) {
    latest_snapshot() = std::move(json);
}

}  // namespace parley::platform
