#pragma once
// The online users panel: who is in the active channel now, with their avatars.

#include "view_context.hpp"

namespace parley::ui {

/// Draws the active channel's online users into the current child window.
void draw_users_panel(view_context& context);

}  // namespace parley::ui
