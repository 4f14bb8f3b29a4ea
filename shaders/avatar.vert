// Avatar, vertex stage: one quad covering the render target, generated from gl_VertexID so
// no vertex buffer is needed. Shared by desktop GL 3.3 and WebGL2; the loader prepends the
// #version line (prelude_gl330.glsl or prelude_es300.glsl).

out vec2 v_uv;

void main() {
    // Triangle-strip order: (0,0) (1,0) (0,1) (1,1).
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    v_uv = corner;
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
