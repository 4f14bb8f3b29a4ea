#pragma once
// Request targets as paths: splitting off the query and percent-decoding the path
// into a relative file path, refusing anything that could climb out of the web root.
// Pure functions over bytes; safe on any input.

#include <optional>
#include <string>
#include <string_view>

namespace parley::server {

/// The value of one hexadecimal digit of a percent-escape, or -1 for any other byte.
int hex_digit_value(char c);

/// The path of an origin-form request target: "/a.js?v=2#x" gives "/a.js". Other forms
/// ("*", "http://host/a") are returned whole and fail `decode_url_path`.
std::string_view target_path(std::string_view target);

/// The relative file path a URL path names ("/assets/a%20b.png" gives "assets/a b.png",
/// "/" gives ""), or nullopt when the path is malformed or hostile: not starting with a single
/// '/', a bad or encoded-separator escape (%2f, %5c), a "." or ".." segment (encoded or not),
/// an empty segment ("//"), a backslash, NUL or another control byte, or a decoded '%'
/// (double encoding). Refusal is the caller's 400; a clean path may still name no file.
std::optional<std::string> decode_url_path(std::string_view url_path);

}  // namespace parley::server
