#pragma once
// The GLSL sources in shaders/, compiled into the client at build time (cmake/embed_text.cmake
// writes their definitions), so a running client never looks for files beside itself.

#include <string_view>

namespace parley::shaders {

/// `#version 330 core`: the desktop prelude, prepended to every shader at load time.
extern const std::string_view prelude_gl330;
/// `#version 300 es` plus default precisions: the WebGL2 prelude.
extern const std::string_view prelude_es300;
/// The avatar shader pair (shaders/avatar.vert, shaders/avatar.frag), without a prelude.
extern const std::string_view avatar_vert;
extern const std::string_view avatar_frag;

}  // namespace parley::shaders
