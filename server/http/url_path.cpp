#include "http/url_path.hpp"

#include <cstddef>

namespace parley::server {
namespace {

/// Bytes refused in a decoded path whether they arrived raw or escaped.
bool is_forbidden_byte(unsigned char c) {
    return c < 0x20 || c == 0x7f || c == '\\';
}

/// Whether `segment` is one a filesystem would treat specially.
bool is_dot_segment(std::string_view segment) { return segment == "." || segment == ".."; }

}  // namespace

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view target_path(std::string_view target) {
    const std::size_t end = target.find_first_of("?#");
    return end == std::string_view::npos ? target : target.substr(0, end);
}

std::optional<std::string> decode_url_path(std::string_view url_path) {
    if (url_path.empty() || url_path.front() != '/') return std::nullopt;  // "*", absolute-form, empty
    std::string out;
    out.reserve(url_path.size());
    std::size_t segment_start = 0;  // index in `out` where the current segment begins

    // Checks the segment that ends at out.size(); the last segment may be empty (trailing '/').
    const auto segment_ok = [&](bool last) {
        const std::string_view segment = std::string_view(out).substr(segment_start);
        if (is_dot_segment(segment)) return false;
        return last || !segment.empty();
    };

    for (std::size_t i = 1; i < url_path.size(); ++i) {
        char c = url_path[i];
        if (c == '/') {
            if (!segment_ok(false)) return std::nullopt;
            out += '/';
            segment_start = out.size();
            continue;
        }
        if (c == '%') {
            if (i + 2 >= url_path.size()) return std::nullopt;  // truncated escape
            const int hi = hex_digit_value(url_path[i + 1]);
            const int lo = hex_digit_value(url_path[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
            // An escaped separator would let "..%2f" pass as one segment here and become two
            // on the filesystem; a decoded '%' is double encoding. Neither names a real file.
            if (c == '/' || c == '%') return std::nullopt;
        }
        if (is_forbidden_byte(static_cast<unsigned char>(c))) return std::nullopt;
        out += c;
    }
    if (!segment_ok(true)) return std::nullopt;
    return out;
}

}  // namespace parley::server
