#include "http/origin.hpp"

#include "parley/core/text.hpp"

namespace parley::server {

bool origin_allowed(std::string_view origin, std::string_view host, bool tls, const std::vector<std::string>& allowed) {
    if (origin.empty()) return true;
    const std::string own = std::string(tls ? "https://" : "http://") + std::string(host);
    if (same_name(origin, own)) return true;
    for (const auto& entry : allowed)
        if (same_name(origin, entry)) return true;
    return false;
}

}  // namespace parley::server
