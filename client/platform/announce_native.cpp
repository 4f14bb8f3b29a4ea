// The desktop client has no accessibility tree (ImGui draws pixels only): nothing to tell.

#include "announce.hpp"

namespace parley::platform {

void announce(const std::string&) {}

}  // namespace parley::platform
