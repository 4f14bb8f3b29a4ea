#include "resources.hpp"

namespace parley::platform {

// --preload-file puts the subset font here in Emscripten's in-memory file system.
std::vector<std::filesystem::path> ui_font_candidates() {
    return {"/fonts/parley-ui.ttf"};
}

}  // namespace parley::platform
