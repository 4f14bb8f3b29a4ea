#pragma once
// The browser bundle, read once at start-up into memory. Only the files loaded here can
// ever be served: lookups go through a map of them, never through the filesystem.

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley::server {

/// One representation of a file: its bytes and their strong entity tag.
struct file_variant {
    /// Shared with the responses that send it, so a response in flight never dangles.
    std::shared_ptr<const std::string> bytes;
    /// Quoted strong ETag, a hash of `bytes`: "\"<32 hex digits>\"".
    std::string etag;
};

/// One file of the web root. Immutable after loading; any thread may read it.
struct static_file {
    std::string path;               ///< relative to the web root, '/'-separated, e.g. "index.html"
    std::string_view content_type;  ///< from `mime_type_for`; points to static storage
    file_variant identity;          ///< the file as it is on disk
    std::optional<file_variant> gzip;  ///< its precompressed "<path>.gz" sibling, when present
};

/// The Content-Type served for a file name, by its extension (case-insensitive), or
/// nullopt for an extension that is not served at all.
std::optional<std::string_view> mime_type_for(std::string_view file_name);

/// The loaded web root. Built once at start-up, then only read: any thread may call the
/// const members concurrently.
class static_files {
public:
    /// Most files loaded; the bundle has about ten, so a web root pointed at a big directory
    /// by mistake is refused rather than slurped.
    static constexpr std::size_t max_files = 1000;
    /// Most bytes held in memory, both variants counted; the bundle (mostly the .wasm) is a few MB.
    static constexpr std::size_t max_total_bytes = 64 * 1024 * 1024;
    /// Deepest directory nesting under the root; the bundle is flat or one level deep.
    static constexpr int max_depth = 8;

    /// An empty set: no web root configured. `has_index()` is false.
    static_files() = default;

    /// Loads every regular file under `root` whose extension `mime_type_for` knows, skipping
    /// dot-files and dot-directories, with each file's valid "X.gz" sibling. A symbolic link
    /// is served only when its real path (every link resolved) lies under the root's real
    /// path without dot-components; one that leads out is skipped and named in `problem()`.
    /// Never throws: a
    /// missing, unreadable or oversized root gives an empty set, and `problem()` says why
    /// (the server runs on without the browser client). Start-up only.
    static static_files load(const std::filesystem::path& root);

    /// The file a URL path names (query already removed, still percent-encoded), or null when
    /// it names no loaded file or is hostile (see `decode_url_path`).
    const static_file* find(std::string_view url_path) const;

    /// index.html, served for "/" and channel deep links; null when the client is not built.
    const static_file* index() const { return index_; }
    bool has_index() const { return index_ != nullptr; }

    /// Number of files loaded (gzip siblings not counted).
    std::size_t size() const { return files_.size(); }

    /// Empty after a clean load; otherwise why files are missing, for the start-up log.
    const std::string& problem() const { return problem_; }

    /// Moves the files; `other` is left empty (its index pointer does not follow the nodes).
    static_files(static_files&& other) noexcept;
    static_files& operator=(static_files&& other) noexcept;
    static_files(const static_files&) = delete;
    static_files& operator=(const static_files&) = delete;
    ~static_files() = default;

private:
    std::map<std::string, static_file, std::less<>> files_;
    const static_file* index_ = nullptr;  // into files_; map nodes are stable
    std::string problem_;
};

}  // namespace parley::server
