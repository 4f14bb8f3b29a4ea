#pragma once
// The message input: Enter sends, Shift+Enter starts a new line; text over the limit is
// refused with the reason shown and kept for the user to shorten; typing is announced
// (at most every 2 s, by the model) and others' typing shown above; an own message being
// edited is saved by Enter and abandoned by Escape. Keeps focus after sending.

#include "view_context.hpp"

namespace parley::ui {

/// The composer's height for its current text, so the message list can take the rest.
float composer_height(const view_context& context, float width);

/// Draws the typing line, any banner (editing, name problems) and the input.
void draw_composer(view_context& context, float width);

/// What the composer says about text of `code_points` characters: empty when it is
/// comfortably within the limit, "3,990 / 4,000" near it, a refusal past it.
std::string describe_length(std::size_t code_points);

/// The reason shown when a post or edit was refused, or "" when it went out.
std::string describe_refusal(client::post_result result, const client::chat_model& model);

}  // namespace parley::ui
