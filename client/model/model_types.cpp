#include "model/model_types.hpp"

namespace parley::client {

std::string_view to_string(connection_state state) {
    switch (state) {
        case connection_state::offline: return "offline";
        case connection_state::connecting: return "connecting";
        case connection_state::identifying: return "identifying";
        case connection_state::ready: return "ready";
        case connection_state::reconnecting: return "reconnecting";
        case connection_state::stopped: return "stopped";
    }
    return "unknown";
}

std::string_view to_string(error_source source) {
    switch (source) {
        case error_source::server: return "server";
        case error_source::client: return "client";
        case error_source::link: return "link";
    }
    return "unknown";
}

std::string describe_typing(const std::vector<typing_entry>& typing) {
    // U+2026 HORIZONTAL ELLIPSIS, as a person writes it.
    static constexpr std::string_view ellipsis = "\xE2\x80\xA6";
    std::string line;
    switch (typing.size()) {
        case 0: return line;
        case 1: line = typing[0].user + " is typing"; break;
        case 2: line = typing[0].user + " and " + typing[1].user + " are typing"; break;
        default: line = std::to_string(typing.size()) + " people are typing"; break;
    }
    line += ellipsis;
    return line;
}

}  // namespace parley::client
