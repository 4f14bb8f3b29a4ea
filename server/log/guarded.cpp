#include "log/guarded.hpp"

#include <string>

#include "log/log.hpp"

namespace parley::server {

void log_handler_failure(std::string_view where, std::string_view what) noexcept {
    try {
        log_error("handler threw in " + std::string(where) + ": " + std::string(what));
    } catch (...) {
        // Out of memory even for the message: the recovery runs all the same.
    }
}

}  // namespace parley::server
