#pragma once
// Per-user avatars, drawn procedurally by shaders/avatar.{vert,frag} from a hash of the
// name into cells of one texture, then shown by ImGui as images. Each avatar is rendered
// once and reused until its cell is needed for someone else (least recently used), so a
// frame costs nothing for avatars already on screen.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <imgui.h>

namespace parley::ui {

/// The hash the avatar shader turns into a picture: FNV-1a of the folded name, so "Ann"
/// and "ann" (one person to the server) look the same.
std::uint32_t avatar_seed(std::string_view user);

/// Where one avatar is in the atlas texture.
struct avatar_image {
    ImTextureID texture = nullptr;
    ImVec2 uv0;
    ImVec2 uv1;
};

/// The atlas: a texture, a framebuffer and the shader program. Main thread, with the GL
/// context current; create after the ImGui backend, destroy before the window.
class avatar_atlas {
public:
    /// Compiles the shaders with `prelude` (the window's #version line) prepended.
    /// On failure `problem()` says why and lookups return nullopt (views draw a plain disc).
    explicit avatar_atlas(std::string_view prelude);
    ~avatar_atlas();
    avatar_atlas(const avatar_atlas&) = delete;
    avatar_atlas& operator=(const avatar_atlas&) = delete;

    /// Sets the pixel size avatars are shown at; a larger one re-renders them sharper.
    void set_display_size(float pixels);

    /// The avatar of `user` for this frame, rendered before ImGui draws (render_pending);
    /// nullopt when the shader failed or every cell is in use this frame.
    std::optional<avatar_image> lookup(std::string_view user);

    /// Renders avatars looked up for the first time. Call after the views, before ImGui
    /// renders; it leaves the default framebuffer bound.
    void render_pending();

    /// Starts a frame: cells used in earlier frames may be given away again.
    void next_frame() { ++frame_; }

    /// Why the shader could not be used; empty when all is well.
    const std::string& problem() const { return problem_; }

private:
    struct cell {
        std::string key;  ///< folded user name
        std::uint32_t seed = 0;
        std::uint64_t last_used = 0;
        bool rendered = false;
    };

    void create_texture(int cell_pixels);

    std::string problem_;
    unsigned program_ = 0;
    unsigned vertex_array_ = 0;
    unsigned framebuffer_ = 0;
    unsigned texture_ = 0;
    int seed_location_ = -1;
    int cell_pixels_ = 0;
    int cells_per_row_ = 0;
    std::vector<cell> cells_;
    std::unordered_map<std::string, std::size_t> by_key_;
    std::uint64_t frame_ = 1;
};

}  // namespace parley::ui
