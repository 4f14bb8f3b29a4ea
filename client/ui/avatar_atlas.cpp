#include "avatar_atlas.hpp"

#include <algorithm>
#include <cstdint>

#include "parley/core/text.hpp"
#include "parley_gl.hpp"
#include "shader_sources.hpp"

namespace parley::ui {
namespace {

/// Cells in the atlas: more avatars than fit on any screen at once, so lookups in one
/// frame never compete; the texture is 16 cells square.
constexpr int cells_per_side = 16;
/// Cell sizes: avatars up to 64 px (16 px text at scale <= 1.5) or up to 128 px.
constexpr int small_cell = 64;
constexpr int large_cell = 128;

std::string compile_problem(GLuint shader, const char* what) {
    GLint ok = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (ok == GL_TRUE) return {};
    char log[1024] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    return std::string(what) + " shader: " + log;
}

GLuint compile(GLenum stage, std::string_view prelude, std::string_view body, const char* what,
               std::string& problem) {
    const GLuint shader = glCreateShader(stage);
    const GLchar* parts[] = {prelude.data(), body.data()};
    const GLint lengths[] = {static_cast<GLint>(prelude.size()), static_cast<GLint>(body.size())};
    glShaderSource(shader, 2, parts, lengths);
    glCompileShader(shader);
    if (problem.empty()) problem = compile_problem(shader, what);
    return shader;
}

}  // namespace

std::uint32_t avatar_seed(std::string_view user) {
    std::uint32_t hash = 2166136261u;
    for (const char c : fold_name(user)) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 16777619u;
    }
    return hash;
}

avatar_atlas::avatar_atlas(std::string_view prelude) {
    const GLuint vertex = compile(GL_VERTEX_SHADER, prelude, shaders::avatar_vert, "avatar vertex", problem_);
    const GLuint fragment =
        compile(GL_FRAGMENT_SHADER, prelude, shaders::avatar_frag, "avatar fragment", problem_);
    program_ = glCreateProgram();
    glAttachShader(program_, vertex);
    glAttachShader(program_, fragment);
    glLinkProgram(program_);
    glDeleteShader(vertex);
    glDeleteShader(fragment);
    GLint linked = GL_FALSE;
    glGetProgramiv(program_, GL_LINK_STATUS, &linked);
    if (problem_.empty() && linked != GL_TRUE) {
        char log[1024] = {};
        glGetProgramInfoLog(program_, sizeof log, nullptr, log);
        problem_ = std::string("avatar program: ") + log;
    }
    seed_location_ = glGetUniformLocation(program_, "u_seed");
    // The quad comes from gl_VertexID; core profiles still need a vertex array bound.
    glGenVertexArrays(1, &vertex_array_);
    glGenFramebuffers(1, &framebuffer_);
    create_texture(small_cell);
}

avatar_atlas::~avatar_atlas() {
    glDeleteTextures(1, &texture_);
    glDeleteFramebuffers(1, &framebuffer_);
    glDeleteVertexArrays(1, &vertex_array_);
    glDeleteProgram(program_);
}

void avatar_atlas::create_texture(int cell_pixels) {
    cell_pixels_ = cell_pixels;
    cells_per_row_ = cells_per_side;
    const int side = cell_pixels_ * cells_per_side;
    if (texture_ == 0) glGenTextures(1, &texture_);
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    glBindTexture(GL_TEXTURE_2D, texture_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, side, side, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture_, 0);
    if (problem_.empty() && glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
        problem_ = "avatar framebuffer is incomplete";
    // Transparent everywhere: unrendered cells and the gaps between discs show nothing.
    glViewport(0, 0, side, side);
    glClearColor(0, 0, 0, 0);
    glClear(GL_COLOR_BUFFER_BIT);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    for (cell& c : cells_) c.rendered = false;
}

void avatar_atlas::set_display_size(float pixels) {
    const int wanted = pixels > static_cast<float>(small_cell) ? large_cell : small_cell;
    if (wanted != cell_pixels_) create_texture(wanted);
}

std::optional<avatar_image> avatar_atlas::lookup(std::string_view user) {
    if (!problem_.empty()) return std::nullopt;
    std::string key = fold_name(user);
    std::size_t index = 0;
    if (const auto found = by_key_.find(key); found != by_key_.end()) {
        index = found->second;
    } else if (cells_.size() < static_cast<std::size_t>(cells_per_side * cells_per_side)) {
        index = cells_.size();
        cells_.push_back({});
    } else {
        // Give away the least recently used cell, unless it is on screen this frame.
        const auto oldest = std::min_element(cells_.begin(), cells_.end(), [](const cell& a, const cell& b) {
            return a.last_used < b.last_used;
        });
        if (oldest->last_used == frame_) return std::nullopt;
        index = static_cast<std::size_t>(oldest - cells_.begin());
        by_key_.erase(oldest->key);
    }
    cell& c = cells_[index];
    if (c.key != key) {
        c.seed = avatar_seed(user);
        c.key = key;
        c.rendered = false;
        by_key_[std::move(key)] = index;
    }
    c.last_used = frame_;
    const float side = static_cast<float>(cell_pixels_ * cells_per_side);
    const float x = static_cast<float>(static_cast<int>(index) % cells_per_row_ * cell_pixels_);
    const float y = static_cast<float>(static_cast<int>(index) / cells_per_row_ * cell_pixels_);
    // GL textures start at the bottom row: flip v so the picture is upright.
    avatar_image image;
    image.texture = reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_));
    image.uv0 = ImVec2(x / side, (y + static_cast<float>(cell_pixels_)) / side);
    image.uv1 = ImVec2((x + static_cast<float>(cell_pixels_)) / side, y / side);
    return image;
}

void avatar_atlas::render_pending() {
    if (!problem_.empty()) return;
    bool bound = false;
    for (std::size_t i = 0; i < cells_.size(); ++i) {
        cell& c = cells_[i];
        if (c.rendered || c.key.empty()) continue;
        if (!bound) {
            glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
            glDisable(GL_BLEND);
            glDisable(GL_SCISSOR_TEST);
            glDisable(GL_DEPTH_TEST);
            glDisable(GL_CULL_FACE);
            glUseProgram(program_);
            glBindVertexArray(vertex_array_);
            bound = true;
        }
        const int x = static_cast<int>(i) % cells_per_row_ * cell_pixels_;
        const int y = static_cast<int>(i) / cells_per_row_ * cell_pixels_;
        glViewport(x, y, cell_pixels_, cell_pixels_);
        glUniform1ui(seed_location_, c.seed);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
        c.rendered = true;
    }
    if (bound) {
        // ImGui's renderer sets the rest of its state itself; these it expects as default.
        glBindVertexArray(0);
        glUseProgram(0);
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
    }
}

}  // namespace parley::ui
