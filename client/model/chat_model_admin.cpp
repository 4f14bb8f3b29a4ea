// chat_model: the admin commands (kick, ban). The server enforces the role; the model
// refuses early so the UI gets a clear reason without a round trip.
#include "model/chat_model.hpp"
#include "parley/core/text.hpp"

namespace parley::client {

bool chat_model::check_admin_command(const std::string& user, const char* what, unix_ms now) {
    if (!is_admin()) {
        add_error(error_source::client, error_code::forbidden, std::string("only admins may ") + what, std::nullopt,
                  now);
        return false;
    }
    if (!can_post()) {
        add_error(error_source::client, std::nullopt, std::string("not connected: could not ") + what, std::nullopt,
                  now);
        return false;
    }
    if (!is_valid_user_name(user)) {
        add_error(error_source::client, std::nullopt, "\"" + user + "\" is not a user name", std::nullopt, now);
        return false;
    }
    return true;
}

bool chat_model::kick(const std::string& channel, const std::string& user, unix_ms now) {
    if (!check_admin_command(user, "kick", now)) return false;
    if (!is_valid_channel_name(channel)) {
        add_error(error_source::client, std::nullopt, "\"" + channel + "\" is not a channel name", std::nullopt, now);
        return false;
    }
    return send_frame(client_frame{kick_request{channel, user}, next_nonce()});
}

bool chat_model::ban(const std::string& user, std::int64_t minutes, unix_ms now) {
    if (!check_admin_command(user, "ban", now)) return false;
    if (minutes < 1 || minutes > limits::max_ban_minutes) {
        add_error(error_source::client, std::nullopt,
                  "a ban lasts 1 to " + std::to_string(limits::max_ban_minutes) + " minutes", std::nullopt, now);
        return false;
    }
    return send_frame(client_frame{ban_request{user, minutes}, next_nonce()});
}

}  // namespace parley::client
