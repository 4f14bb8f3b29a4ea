#include "connection_status.hpp"

namespace parley::ui {

long long seconds_until(unix_ms at, unix_ms now) {
    if (at <= now) return 0;
    return (at - now + 999) / 1000;
}

connection_status describe_connection(const client::chat_model& model, unix_ms now) {
    using client::connection_state;
    // U+2026 HORIZONTAL ELLIPSIS, U+2014 EM DASH
    constexpr const char* ellipsis = "\xE2\x80\xA6";
    constexpr const char* dash = " \xE2\x80\x94 ";
    connection_status status;
    const std::string& problem = model.link_problem();
    switch (model.state()) {
        case connection_state::offline:
        case connection_state::stopped:
            status.tone = connection_status::level::bad;
            status.text = "Offline";
            break;
        case connection_state::connecting:
            status.tone = connection_status::level::busy;
            status.text = std::string("Connecting") + ellipsis;
            if (model.reconnect_attempts() > 0)
                status.text += " (attempt " + std::to_string(model.reconnect_attempts() + 1) + ")";
            break;
        case connection_state::identifying:
            status.tone = connection_status::level::busy;
            status.text = "Signing in as " + model.wanted_name() + ellipsis;
            break;
        case connection_state::ready:
            status.tone = connection_status::level::ok;
            status.text = model.user_name().empty() ? std::string("Connected (read-only)")
                                                    : "Connected as " + model.user_name();
            break;
        case connection_state::reconnecting: {
            status.tone = connection_status::level::bad;
            const auto at = model.reconnect_at();
            status.text = at ? "Reconnecting in " + std::to_string(seconds_until(*at, now)) + " s"
                             : std::string("Reconnecting") + ellipsis;
            if (!problem.empty()) status.text += dash + problem;
            return status;
        }
    }
    if (model.state() == connection_state::connecting && !problem.empty()) status.text += dash + problem;
    return status;
}

}  // namespace parley::ui
