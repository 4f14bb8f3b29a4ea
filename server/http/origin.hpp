#pragma once
// The Origin rule (PROTOCOL.md, Details: Origin): a browser request from another site may
// not open a WebSocket or call /api. Pure.

#include <string>
#include <string_view>
#include <vector>

namespace parley::server {

/// Whether a request with `origin` (empty: no Origin header, a non-browser client) to a
/// server reached as `host` over TLS or not may proceed: no Origin, the server's own
/// origin (scheme + Host), or one of `allowed` (compared case-insensitively).
bool origin_allowed(std::string_view origin, std::string_view host, bool tls, const std::vector<std::string>& allowed);

}  // namespace parley::server
