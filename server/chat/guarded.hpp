#pragma once
// The one catch at the edge of every hub handler (shards and homes alike).

#include <exception>
#include <string>

#include "log/log.hpp"

namespace parley::server::chat {

/// Runs `f`; a throw (an allocation that fails, a bug) is logged and the strand goes on:
/// nothing escapes into the event loop.
template <class F>
void run_guarded(F&& f) noexcept {
    try {
        f();
    } catch (const std::exception& e) {
        log_error(std::string("hub: a handler failed: ") + e.what());
    } catch (...) {
        log_error("hub: a handler failed");
    }
}

}  // namespace parley::server::chat
