#pragma once
// WebGL2 through Emscripten's OpenGL ES 3.0 headers. CMake puts this directory on the
// include path of the web build only; the native build finds gl/native/parley_gl.hpp.

#include <GLES3/gl3.h>
