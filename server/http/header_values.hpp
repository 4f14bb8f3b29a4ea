#pragma once
// Parsers for the request header values the router acts on. Pure functions over bytes;
// safe on any input; malformed input reads as "no" (the plain answer is always correct).

#include <string_view>

namespace parley::server {

/// Whether an Accept-Encoding value allows a gzip body (RFC 9110 12.5.3): "gzip" or "x-gzip"
/// with q > 0, or, when neither is named, "*" with q > 0. "gzip;q=0" refuses it; so does a
/// malformed q. An empty value accepts only identity.
bool accepts_gzip(std::string_view accept_encoding);

/// Whether an If-None-Match value matches `etag` (a quoted entity tag such as "\"ab12\""):
/// "*" matches anything; otherwise a comma list of tags compared weakly (W/ ignored), as
/// RFC 9110 13.1.2 asks for If-None-Match.
bool if_none_match_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace parley::server
