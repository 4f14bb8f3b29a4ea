#pragma once
// Nesting depth of a JSON text, found by one scan before parsing, so hostile input
// (64 KiB of '[') is refused without building or tearing down a deep tree.

#include <string_view>

namespace parley::detail {

/// Deepest nesting of arrays and objects in `text`, ignoring brackets inside strings.
/// Stops counting once `limit` is exceeded (returns limit + 1).
inline int json_nesting_depth(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > deepest && (deepest = depth) > limit) return deepest;
        } else if (c == ']' || c == '}') --depth;
    }
    return deepest;
}

}  // namespace parley::detail
