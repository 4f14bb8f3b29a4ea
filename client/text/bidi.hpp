#pragma once
// Right-to-left and joining scripts for a renderer that draws one glyph after another,
// left to right (Dear ImGui): a line is turned into the sequence of code points it is
// drawn as. GNU FriBidi runs the Unicode bidirectional algorithm (UAX #9) over the whole
// paragraph, joins Arabic letters into their presentation forms (initial, medial, final,
// isolated; the lam-alef ligatures) and mirrors brackets inside right-to-left runs; then
// each wrapped line is put in visual order.
//
// Text wraps in logical order, measured unshaped: joined Arabic forms are rarely wider than
// the isolated ones they replace, so a line measured that way still fits.

#include <cstddef>
#include <string>
#include <string_view>

namespace parley::text {

/// Whether `text` has anything the algorithm would change: a letter of a right-to-left
/// script (Hebrew, Arabic, Syriac, Thaana, N'Ko, ...) or a bidi control. False for most
/// text, cheaply, so that drawing it needs no copy.
bool needs_bidi(std::string_view text);

/// One wrapped line as it is drawn.
struct visual_line {
    std::string text;            ///< UTF-8 in drawing order, left to right, Arabic joined
    bool right_to_left = false;  ///< the paragraph reads right to left: align its lines right
};

/// Bytes [begin, end) of `paragraph` (text without '\n'; its direction is that of its
/// first strong letter) in the order they are drawn.
visual_line visual_order(std::string_view paragraph, std::size_t begin, std::size_t end);

}  // namespace parley::text
