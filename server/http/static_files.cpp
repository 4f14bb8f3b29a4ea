#include "http/static_files.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <system_error>
#include <utility>

#include "http/url_path.hpp"

namespace parley::server {
namespace {

namespace fs = std::filesystem;

struct mime_entry {
    std::string_view extension;
    std::string_view type;
};

// What an Emscripten bundle holds, plus the usual web assets. Anything else is not served.
constexpr std::array<mime_entry, 20> mime_table = {{
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
    {".data", "application/octet-stream"},  // Emscripten's preloaded file package
    {".ttf", "font/ttf"},
    {".otf", "font/otf"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".webp", "image/webp"},
    {".svg", "image/svg+xml"},
    {".ico", "image/x-icon"},
}};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (x != b[i]) return false;  // table entries are lower case
    }
    return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Quoted strong entity tag of `bytes`: the first 128 bits of SHA-256, which no two deploys'
/// files will share by accident. nullopt only if OpenSSL itself fails.
std::optional<std::string> entity_tag(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1 || length < 16)
        return std::nullopt;
    constexpr char hex[] = "0123456789abcdef";
    std::string tag = "\"";
    for (std::size_t i = 0; i < 16; ++i) {
        tag += hex[digest[i] >> 4];
        tag += hex[digest[i] & 0x0f];
    }
    tag += '"';
    return tag;
}

/// The whole content of a regular file; nullopt when it cannot be read.
std::optional<std::string> read_file(const fs::path& path, std::uintmax_t size) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (size > 0 && !in.read(bytes.data(), static_cast<std::streamsize>(size))) return std::nullopt;
    return bytes;
}

/// Whether `bytes` starts like a gzip member (RFC 1952 magic and deflate method), so a stray
/// or truncated ".gz" is not sent as Content-Encoding: gzip.
bool looks_like_gzip(const std::string& bytes) {
    return bytes.size() >= 18 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
           static_cast<unsigned char>(bytes[1]) == 0x8b && bytes[2] == 8;
}

/// Whether any component of a root-relative path starts with '.' (.git, .env, ...).
bool has_dot_component(const fs::path& relative) {
    for (const auto& part : relative) {
        const std::string name = part.string();
        if (!name.empty() && name.front() == '.') return true;
    }
    return false;
}

/// Whether `real` (a resolved path) lies strictly inside `real_root` (resolved too) and no
/// component below the root starts with '.'.
bool is_under(const fs::path& real, const fs::path& real_root) {
    const fs::path relative = real.lexically_relative(real_root);
    if (relative.empty() || relative.is_absolute()) return false;
    const std::string first = relative.begin()->string();
    if (first == ".." || first == ".") return false;
    return !has_dot_component(relative);
}

/// A regular file found under the root, before reading.
struct candidate {
    fs::path path;
    std::string key;  // the root-relative URL path, '/'-separated
    std::uintmax_t size = 0;
};

}  // namespace

std::optional<std::string_view> mime_type_for(std::string_view file_name) {
    const std::size_t slash = file_name.rfind('/');
    const std::string_view base = slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
    const std::size_t dot = base.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;
    const std::string_view extension = base.substr(dot);
    for (const mime_entry& entry : mime_table)
        if (iequals(extension, entry.extension)) return entry.type;
    return std::nullopt;
}

static_files::static_files(static_files&& other) noexcept
    : files_(std::move(other.files_)), index_(std::exchange(other.index_, nullptr)),
      problem_(std::move(other.problem_)) {}

static_files& static_files::operator=(static_files&& other) noexcept {
    files_ = std::move(other.files_);
    index_ = std::exchange(other.index_, nullptr);
    problem_ = std::move(other.problem_);
    return *this;
}

static_files static_files::load(const fs::path& root) {
    static_files result;
    const auto fail = [&](std::string why) {
        static_files empty;
        empty.problem_ = std::move(why);
        return empty;
    };

    std::error_code ec;
    if (!fs::is_directory(root, ec))
        return fail("web root " + root.string() + " is not a directory; the browser client is not served");

    // Symbolic links are resolved, and what they name must stay under the root's real path
    // (itself resolved: a root that is a link to a release directory is fine).
    const fs::path real_root = fs::canonical(root, ec);
    if (ec) return fail("cannot resolve web root " + root.string() + ": " + ec.message());
    std::string skipped;  // links that lead out of the root, for the start-up log

    // Pass 1: list files, without reading, so the limits are checked before any memory is spent.
    std::map<std::string, candidate, std::less<>> found;
    std::size_t total_bytes = 0;
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::path relative = it->path().lexically_relative(root);
        std::error_code entry_ec;  // a vanished or unreadable entry is skipped, not fatal
        if (has_dot_component(relative)) {
            if (it->is_directory(entry_ec)) it.disable_recursion_pending();
            continue;
        }
        if (it.depth() >= max_depth) it.disable_recursion_pending();
        if (!it->is_regular_file(entry_ec)) continue;
        // A link (the file, or a directory on its way) may point anywhere: /etc/passwd, the
        // data directory. Only what resolves to a file under the root, by a path without
        // dot-components, is served; a link to another file of the root still is.
        const fs::path real = fs::canonical(it->path(), entry_ec);
        if (entry_ec) continue;
        if (!is_under(real, real_root)) {
            skipped += (skipped.empty() ? "" : ", ") + relative.generic_string();
            continue;
        }
        const std::string key = relative.generic_string();
        const bool is_gzip = ends_with(key, ".gz");
        if (!mime_type_for(is_gzip ? std::string_view(key).substr(0, key.size() - 3) : key)) continue;
        // A name the URL decoder would refuse could never be asked for.
        const std::optional<std::string> round_trip = decode_url_path("/" + key);
        if (!round_trip || *round_trip != key) continue;
        const std::uintmax_t size = it->file_size(entry_ec);
        if (entry_ec) return fail("cannot stat " + it->path().string() + ": " + entry_ec.message());
        if (found.size() >= 2 * max_files || size > max_total_bytes || total_bytes + size > max_total_bytes)
            return fail("web root " + root.string() + " is over the limit of " + std::to_string(max_files) +
                        " files or " + std::to_string(max_total_bytes) + " bytes; nothing served");
        total_bytes += static_cast<std::size_t>(size);
        found.emplace(key, candidate{real, key, size});
    }
    if (ec) return fail("cannot list web root " + root.string() + ": " + ec.message());
    if (!skipped.empty())
        result.problem_ += "not served: links under " + root.string() +
                           " that lead out of it or to a dot-file: " + skipped + ". ";

    // Pass 2: read each servable file and attach its gzip sibling.
    for (const auto& [key, c] : found) {
        if (ends_with(key, ".gz")) continue;
        if (result.files_.size() >= max_files)
            return fail("web root " + root.string() + " has over " + std::to_string(max_files) + " files");
        std::optional<std::string> bytes = read_file(c.path, c.size);
        if (!bytes) return fail("cannot read " + c.path.string());
        std::optional<std::string> tag = entity_tag(*bytes);
        if (!tag) return fail("cannot hash " + c.path.string());

        static_file file;
        file.path = key;
        file.content_type = *mime_type_for(key);
        file.identity = {std::make_shared<const std::string>(std::move(*bytes)), std::move(*tag)};

        if (const auto gz = found.find(key + ".gz"); gz != found.end()) {
            std::optional<std::string> gz_bytes = read_file(gz->second.path, gz->second.size);
            if (!gz_bytes) return fail("cannot read " + gz->second.path.string());
            if (looks_like_gzip(*gz_bytes)) {
                std::optional<std::string> gz_tag = entity_tag(*gz_bytes);
                if (!gz_tag) return fail("cannot hash " + gz->second.path.string());
                file.gzip = file_variant{std::make_shared<const std::string>(std::move(*gz_bytes)),
                                         std::move(*gz_tag)};
            } else {
                result.problem_ += gz->second.path.string() + " is not gzip data; ignored. ";
            }
        }
        result.files_.emplace(key, std::move(file));
    }

    if (const auto index = result.files_.find(std::string_view("index.html")); index != result.files_.end())
        result.index_ = &index->second;
    else
        result.problem_ += "web root " + root.string() + " has no index.html; the browser client is not served";
    return result;
}

const static_file* static_files::find(std::string_view url_path) const {
    const std::optional<std::string> key = decode_url_path(url_path);
    if (!key) return nullptr;
    const auto it = files_.find(*key);
    return it == files_.end() ? nullptr : &it->second;
}

}  // namespace parley::server
