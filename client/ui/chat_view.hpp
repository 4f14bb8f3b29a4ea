#pragma once
// The chat screen's layout: the connection status along the top (always visible), the
// channel sidebar on the left, messages and the input in the middle, who is online on
// the right (hidden when the window is narrow).

#include "view_context.hpp"

namespace parley::ui {

/// Draws the chat screen into the current (full-window) window.
void draw_chat_screen(view_context& context);

}  // namespace parley::ui
