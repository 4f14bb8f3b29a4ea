#pragma once
// The one catch at the edge of a completion handler. Asio runs handlers on the I/O threads;
// an exception that left one would end io_context::run and so the whole server. Beast, Asio
// and the standard library can still throw inside a handler (std::bad_alloc, std::length_error
// from a string, boost::system::system_error from a throwing overload), so every handler of
// the sessions, the listener and the hub (homes, shards, store completions) runs its body
// through `guarded`: the failure is logged and the recovery runs (a session closes that one
// connection; the hub has nothing to undo and its strand goes on). A leaf beside the log,
// so every layer uses this one catch.

#include <exception>
#include <string_view>
#include <utility>

namespace parley::server {

/// Logs that `where` threw `what` (at error level), never throwing itself.
void log_handler_failure(std::string_view where, std::string_view what) noexcept;

/// Runs `body()`. If it throws, logs `where` and the exception's text and runs `recover()`
/// (typically: close this one connection); an exception from `recover` is swallowed too.
/// Returns whether `body` completed. Never throws. The caller's thread.
template <class Body, class Recover>
bool guarded(std::string_view where, Body&& body, Recover&& recover) noexcept {
    try {
        std::forward<Body>(body)();
        return true;
    } catch (const std::exception& e) {
        log_handler_failure(where, e.what());
    } catch (...) {
        log_handler_failure(where, "an exception of unknown type");
    }
    try {
        std::forward<Recover>(recover)();
    } catch (...) {
        log_handler_failure(where, "and its recovery threw too");
    }
    return false;
}

}  // namespace parley::server
