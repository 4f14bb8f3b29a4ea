#include "bidi.hpp"

#include <fribidi.h>
#include <imgui.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8, ImTextCharToUtf8

#include <algorithm>
#include <vector>

namespace parley::text {
namespace {

/// The code point at `i`, advancing `i` past it: ImGui's own decoding, so that what is
/// reordered is what ImGui would have drawn (U+FFFD for malformed bytes).
char32_t decode(std::string_view text, std::size_t& i) {
    unsigned int c = 0;
    const int n = ImTextCharFromUtf8(&c, text.data() + i, text.data() + text.size());
    i += n > 0 ? static_cast<std::size_t>(n) : 1;
    return c;
}

bool is_right_to_left_or_control(char32_t c) {
    return (c >= 0x0590 && c <= 0x08FF) ||    // Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic
           (c >= 0xFB1D && c <= 0xFDFF) ||    // Hebrew and Arabic presentation forms A
           (c >= 0xFE70 && c <= 0xFEFF) ||    // Arabic presentation forms B
           (c >= 0x10800 && c <= 0x10FFF) ||  // historic right-to-left scripts
           (c >= 0x1E800 && c <= 0x1EFFF) ||  // Adlam, Mende Kikakui, Arabic mathematical
           c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

bool needs_bidi(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        // Everything below U+0590 is one or two bytes led by at most 0xD5.
        if (static_cast<unsigned char>(text[i]) < 0xD6) {
            ++i;
            continue;
        }
        if (is_right_to_left_or_control(decode(text, i))) return true;
    }
    return false;
}

visual_line visual_order(std::string_view paragraph, std::size_t begin, std::size_t end) {
    end = std::min(end, paragraph.size());
    begin = std::min(begin, end);
    // Code points, and where in them the line's bytes start and end.
    std::vector<FriBidiChar> chars;
    chars.reserve(paragraph.size());
    std::size_t line_first = 0;
    std::size_t line_end = 0;
    for (std::size_t i = 0; i < paragraph.size();) {
        if (i == begin) line_first = chars.size();
        if (i == end) line_end = chars.size();
        chars.push_back(decode(paragraph, i));
    }
    if (end == paragraph.size()) line_end = chars.size();
    if (begin == paragraph.size()) line_first = chars.size();

    visual_line out;
    const auto length = static_cast<FriBidiStrIndex>(chars.size());
    std::vector<FriBidiCharType> types(chars.size());
    std::vector<FriBidiBracketType> brackets(chars.size());
    std::vector<FriBidiLevel> levels(chars.size());
    std::vector<FriBidiArabicProp> joining(chars.size());
    FriBidiParType direction = FRIBIDI_PAR_ON;  // from the first strong letter
    fribidi_get_bidi_types(chars.data(), length, types.data());
    fribidi_get_bracket_types(chars.data(), length, types.data(), brackets.data());
    const bool ok = fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), length, &direction,
                                                        levels.data()) != 0;
    if (ok) {
        fribidi_get_joining_types(chars.data(), length, joining.data());
        fribidi_join_arabic(types.data(), length, levels.data(), joining.data());
        fribidi_shape(FRIBIDI_FLAGS_DEFAULT | FRIBIDI_FLAGS_ARABIC, levels.data(), length, joining.data(),
                      chars.data());
        if (line_end > line_first)
            (void)fribidi_reorder_line(
                FRIBIDI_FLAGS_DEFAULT, types.data(), static_cast<FriBidiStrIndex>(line_end - line_first),
                static_cast<FriBidiStrIndex>(line_first), direction, levels.data(), chars.data(), nullptr);
    }
    out.right_to_left = ok && FRIBIDI_IS_RTL(direction);
    out.text.reserve(end - begin);
    for (std::size_t k = line_first; k < line_end; ++k) {
        // Bidi controls did their work and draw nothing; U+FEFF is what FriBidi leaves in
        // place of the second letter of a ligature.
        const FriBidiChar c = chars[k];
        if (c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
            c == 0xFEFF)
            continue;
        char utf8[5];
        out.text += ImTextCharToUtf8(utf8, c);
    }
    return out;
}

}  // namespace parley::text
