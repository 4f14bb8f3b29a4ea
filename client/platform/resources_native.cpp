#include "resources.hpp"

#include <system_error>

namespace parley::platform {

std::vector<std::filesystem::path> ui_font_candidates() {
    std::vector<std::filesystem::path> paths;
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) paths.push_back(self.parent_path() / "parley-ui.ttf");
    // fonts-dejavu-core: the full font the subset is cut from.
    paths.emplace_back("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    return paths;
}

}  // namespace parley::platform
