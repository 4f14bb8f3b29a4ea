#pragma once
// The online users panel: who is in the active channel now, with their avatars.

#include <string>
#include <string_view>
#include <vector>

#include "view_context.hpp"

namespace parley::ui {

/// The names to list: the channel's online users plus one's own name. The server's
/// `joined` lists the names online before this connection had one, and `presence` goes
/// to the others only, so the model's list may lack the reader's own name.
std::vector<std::string> displayed_users(const client::channel_state& channel, std::string_view own_name);

/// The count to show: the server's, unless the listed names are more (see displayed_users).
int displayed_online(const client::channel_state& channel, const std::vector<std::string>& users);

/// Draws the active channel's online users into the current child window.
void draw_users_panel(view_context& context);

}  // namespace parley::ui
