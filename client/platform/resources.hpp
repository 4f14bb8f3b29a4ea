#pragma once
// Where the client's files are: the subset UI font (built from DejaVu Sans, see
// client/app/CMakeLists.txt). Native: beside the executable, else the system's DejaVu
// Sans; web: the preloaded package's /fonts.

#include <filesystem>
#include <vector>

namespace parley::platform {

/// Font files to try, best first. The first that loads is used.
std::vector<std::filesystem::path> ui_font_candidates();

}  // namespace parley::platform
