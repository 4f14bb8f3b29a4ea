#pragma once
// The channel sidebar: joined channels with online and unread counts, a field to join
// one by name, leaving from a context menu, and the server's channel list on request.

#include "view_context.hpp"

namespace parley::ui {

/// Draws the sidebar into the current child window.
void draw_sidebar(view_context& context);

}  // namespace parley::ui
