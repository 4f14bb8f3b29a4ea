#pragma once
// What every chat view works with this frame: the model to read and command, the view
// state to edit, the avatars, the glyphs, the size scale and the time. Built by the app
// each frame.

#include "avatar_atlas.hpp"
#include "glyph_atlas.hpp"
#include "model/chat_model.hpp"
#include "ui_state.hpp"

namespace parley::ui {

/// Borrowed references for one frame; main thread only.
struct view_context {
    client::chat_model& model;
    ui_state& ui;
    avatar_atlas& avatars;
    text::glyph_atlas& glyphs;  ///< ensure() text from outside before measuring or drawing it
    float scale = 1.0f;  ///< multiply logical sizes (paddings, widths) by this
    unix_ms now = 0;     ///< wall clock, Unix ms, for commands and relative times
};

/// Draws `user`'s avatar, `size` square at `top_left`: the shader's picture, or a plain
/// disc in the name's colour when the atlas cannot give one.
void draw_avatar(ImDrawList& list, avatar_atlas& atlas, std::string_view user, ImVec2 top_left, float size);

}  // namespace parley::ui
