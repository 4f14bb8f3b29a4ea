#pragma once
// The screen as the last frame drew it, as JSON for end-to-end tests (the platform's
// state probe publishes it). Built from what the views recorded in ui_state, so a test
// proves what is on screen, not only what the model holds.

#include <cstdint>
#include <string>

#include "glyph_atlas.hpp"
#include "model/chat_model.hpp"
#include "ui_state.hpp"

namespace parley::ui {

/// Frame counters the snapshot carries, for the tests' measurements (idle frames, timing).
struct frame_stats {
    std::uint64_t frames = 0;        ///< frames drawn since start
    double last_frame_ms = 0.0;      ///< CPU time of the last frame's build and draw
    double first_frame_at_ms = 0.0;  ///< when the first frame was drawn, ms after start
    text::glyph_atlas_stats glyphs;  ///< glyphs added from the system's fonts so far
};

/// {"screen","status","connection","user","channel","channels":[...],"messages":[...],
///  "typing","input","input_focused","refusal","users":[...],"message_count",
///  "list":{"stick_to_bottom","unseen","scroll_y"},"frames","last_frame_ms",
///  "glyphs":{"added","missing","rebuilds","rasterise_ms"},...}
/// `model` is null on the start screen.
std::string visible_state_json(const ui_state& ui, const client::chat_model* model, const frame_stats& stats);

}  // namespace parley::ui
