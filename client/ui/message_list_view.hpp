#pragma once
// The message view: author with avatar, local time, wrapped text; a group header only
// where the author or the hour changes; own messages pending, then delivered. Older
// history loads on scrolling to the top; the view follows new messages unless scrolled
// up, when a "new messages" button offers the way back. ImGuiListClipper over
// equal-height rows (message_layout) keeps 100,000 messages as cheap as 30.

#include "view_context.hpp"

namespace parley::ui {

/// Draws the active channel's messages in a child window `size` big.
void draw_message_list(view_context& context, ImVec2 size);

}  // namespace parley::ui
