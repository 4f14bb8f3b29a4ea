#pragma once
// OpenGL 3.3 core for the desktop client. Mesa's and glvnd's libGL export every core entry
// point, so prototypes suffice and no loader is needed for Parley's own few calls (ImGui's
// backend carries its own loader). CMake puts this directory on the include path of the
// native build only; the web build finds the sibling gl/web/parley_gl.hpp.

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>
