// libFuzzer harness: the static-file resolver (server/http/static_files.hpp), loaded once
// from a small web root built in LLVMFuzzerInitialize, then asked for arbitrary URL paths.
// The root holds what a careless deploy might: dot-files, unknown extensions, a name with
// a space, a gzip sibling, and symlinks pointing inside and outside the root.
//
// Properties of every file `find` returns: its real path (symlinks resolved) is under the
// root's real path; it is the file the decoded URL names; it has no dot component; its
// bytes are that file's bytes on disk; its type is the one its extension maps to.

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/static_files.hpp"
#include "http/url_path.hpp"

namespace fs = std::filesystem;
namespace server = parley::server;

namespace {

struct web_root {
    fs::path base;       // the temporary directory; the root and the "outside" live in it
    fs::path root;       // as given to static_files::load
    fs::path real_root;  // canonical, for the containment check
    server::static_files files;
};

web_root* state = nullptr;

void write(const fs::path& path, std::string_view bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void remove_root() {
    if (state == nullptr) return;
    std::error_code ec;
    fs::remove_all(state->base, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::string pattern = (fs::temp_directory_path() / "parley-fuzz-static-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        std::perror("mkdtemp");
        std::abort();
    }
    state = new web_root{};
    state->base = pattern;
    state->root = state->base / "root";
    const fs::path& root = state->root;

    write(state->base / "outside.txt", "outside the root: never served\n");
    write(state->base / "outside-dir" / "secret.js", "outside the root: never served\n");
    write(root / "index.html", "<!doctype html><title>parley</title>\n");
    write(root / "app.js", "console.log('parley');\n");
    // A gzip member header (magic, deflate) and padding: enough for the sibling check.
    write(root / "app.js.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + std::string(16, '\0'));
    write(root / "app.wasm", std::string("\0asm\1\0\0\0", 8));
    write(root / "assets" / "a b.png", "png bytes");
    write(root / "assets" / "font.woff2", "woff2 bytes");
    write(root / "sub" / "dir" / "deep.txt", "deep\n");
    write(root / "UPPER.JS", "upper\n");
    write(root / ".env", "SECRET=1\n");
    write(root / ".git" / "config.txt", "secret\n");
    write(root / "notes.md", "unknown extension\n");
    write(root / "x%41.txt", "a name the decoder cannot ask for\n");
    fs::create_directory_symlink("../outside-dir", root / "linkdir");
    fs::create_symlink("../outside.txt", root / "link.txt");
    fs::create_symlink(state->base / "outside.txt", root / "absolute-link.txt");
    fs::create_symlink("app.js", root / "alias.js");
    std::atexit(remove_root);

    state->real_root = fs::canonical(root);
    state->files = server::static_files::load(root);
    if (!state->files.has_index()) {
        std::fprintf(stderr, "static_files_fuzzer: the web root did not load: %s\n", state->files.problem().c_str());
        std::abort();
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view url_path(reinterpret_cast<const char*>(data), size);
    const server::static_file* file = state->files.find(url_path);
    if (file == nullptr) return 0;

    const auto key = server::decode_url_path(url_path);
    PARLEY_FUZZ_CHECK(key && *key == file->path, "the file is the one the URL names");
    for (const auto& part : fs::path(file->path))
        PARLEY_FUZZ_CHECK(part.string().empty() || part.string().front() != '.', "no dot component");

    std::error_code ec;
    const fs::path real = fs::canonical(state->root / file->path, ec);
    PARLEY_FUZZ_CHECK(!ec, "a served file exists on disk");
    const auto [root_end, real_it] = std::mismatch(state->real_root.begin(), state->real_root.end(), real.begin(), real.end());
    PARLEY_FUZZ_CHECK(root_end == state->real_root.end() && real_it != real.end(),
                      "a served file's real path is inside the web root");

    PARLEY_FUZZ_CHECK(file->identity.bytes && *file->identity.bytes == read(real), "served bytes are the file's");
    PARLEY_FUZZ_CHECK(server::mime_type_for(file->path) == file->content_type, "the type follows the extension");
    if (file->gzip) PARLEY_FUZZ_CHECK(fs::exists(state->root / (file->path + ".gz")), "gzip only from a sibling");
    return 0;
}
