#include "http/static_files.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "http/url_path.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using parley::server::mime_type_for;
using parley::server::static_file;
using parley::server::static_files;

namespace {

using parley::test::temp_dir;

/// Writes `bytes` to `relative` under `dir`, making the directories on the way.
void write_file(const temp_dir& dir, const std::string& relative, const std::string& bytes) {
    const fs::path file = dir.path() / relative;
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << bytes;
    REQUIRE(out.good());
}

/// The start of a gzip member (magic, deflate, no flags) and padding: enough for the loader,
/// which checks the header and never inflates.
std::string fake_gzip(const std::string& tail) { return std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10) + tail + std::string(10, 'z'); }

/// A web root laid out like the browser bundle, plus things that must never be served.
void write_bundle(const temp_dir& root) {
    write_file(root, "index.html", "<!doctype html><title>Parley</title>");
    write_file(root, "parley.js", "console.log('parley');");
    write_file(root, "parley.js.gz", fake_gzip("js"));
    write_file(root, "parley.wasm", std::string("\0asm\x01\0\0\0", 8));
    write_file(root, "style.css", "body{}");
    write_file(root, "style.css.gz", "this is not gzip at all, just text");
    write_file(root, "font.ttf", "ttf");
    write_file(root, "logo.png", "png");
    write_file(root, "icon.svg", "<svg/>");
    write_file(root, "favicon.ico", "ico");
    write_file(root, "assets/extra.js", "extra");
    write_file(root, "orphan.js.gz", fake_gzip("orphan"));  // no orphan.js: not servable to everyone
    write_file(root, ".env", "SECRET=1");
    write_file(root, ".git/config.js", "hidden dir");
    write_file(root, "server.key", "private key");
    write_file(root, "notes", "no extension");
}

}  // namespace

TEST_CASE("mime type follows the extension, case-insensitively") {
    const struct {
        const char* name;
        const char* type;
    } cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"parley.js", "text/javascript; charset=utf-8"},
        {"parley.wasm", "application/wasm"},
        {"style.css", "text/css; charset=utf-8"},
        {"font.ttf", "font/ttf"},
        {"logo.png", "image/png"},
        {"icon.svg", "image/svg+xml"},
        {"favicon.ico", "image/x-icon"},
        {"parley.data", "application/octet-stream"},
        {"font.woff2", "font/woff2"},
        {"LOGO.PNG", "image/png"},
        {"assets/a.b/app.js", "text/javascript; charset=utf-8"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        REQUIRE(mime_type_for(c.name).has_value());
        CHECK(*mime_type_for(c.name) == c.type);
    }
    CHECK_FALSE(mime_type_for("server.key").has_value());
    CHECK_FALSE(mime_type_for("notes").has_value());
    CHECK_FALSE(mime_type_for(".js").has_value());  // a dot-file, not a .js file
    CHECK_FALSE(mime_type_for("a.js.gz").has_value());
    CHECK_FALSE(mime_type_for("dir.js/notes").has_value());
}

TEST_CASE("static files load the bundle and nothing else") {
    temp_dir root;
    write_bundle(root);
    const static_files files = static_files::load(root.path());

    CHECK(files.has_index());
    CHECK(files.size() == 9);
    for (const char* url : {"/index.html", "/parley.js", "/parley.wasm", "/style.css", "/font.ttf", "/logo.png",
                            "/icon.svg", "/favicon.ico", "/assets/extra.js"}) {
        CAPTURE(url);
        CHECK(files.find(url) != nullptr);
    }
    for (const char* url : {"/.env", "/.git/config.js", "/server.key", "/notes", "/orphan.js.gz", "/orphan.js",
                            "/parley.js.gz", "/", "/assets", "/assets/"}) {
        CAPTURE(url);
        CHECK(files.find(url) == nullptr);
    }
    const static_file* js = files.find("/parley.js");
    REQUIRE(js != nullptr);
    CHECK(js->path == "parley.js");
    CHECK(js->content_type == "text/javascript; charset=utf-8");
    CHECK(*js->identity.bytes == "console.log('parley');");
    CHECK(files.find("/parley%2Ejs") == js);  // an escaped ordinary byte is still that byte
    CHECK(files.find("/index.html") == files.index());
}

TEST_CASE("static files attach a valid gzip sibling and ignore a bogus one") {
    temp_dir root;
    write_bundle(root);
    const static_files files = static_files::load(root.path());

    const static_file* js = files.find("/parley.js");
    REQUIRE(js != nullptr);
    REQUIRE(js->gzip.has_value());
    CHECK(*js->gzip->bytes == fake_gzip("js"));
    CHECK(js->gzip->etag != js->identity.etag);  // two representations, two tags

    const static_file* css = files.find("/style.css");
    REQUIRE(css != nullptr);
    CHECK_FALSE(css->gzip.has_value());
    CHECK(files.problem().find("style.css.gz") != std::string::npos);
}

TEST_CASE("static file etag is a stable quoted hash of the content") {
    temp_dir root;
    write_bundle(root);
    const static_files first = static_files::load(root.path());
    const static_files second = static_files::load(root.path());
    const std::string tag = first.find("/parley.js")->identity.etag;

    CHECK(tag.size() == 34);
    CHECK(tag.front() == '"');
    CHECK(tag.back() == '"');
    CHECK(tag.find_first_not_of("0123456789abcdef", 1) == 33);
    CHECK(second.find("/parley.js")->identity.etag == tag);

    write_file(root, "parley.js", "console.log('changed');");
    const static_files changed = static_files::load(root.path());
    CHECK(changed.find("/parley.js")->identity.etag != tag);
    // Same bytes under another name get the same tag: it hashes content, not names.
    write_file(root, "copy.js", "console.log('changed');");
    const static_files copied = static_files::load(root.path());
    CHECK(copied.find("/copy.js")->identity.etag == copied.find("/parley.js")->identity.etag);
}

TEST_CASE("static files from a missing web root are empty and say why") {
    temp_dir root;
    const static_files files = static_files::load(root.path() / "does-not-exist");
    CHECK_FALSE(files.has_index());
    CHECK(files.index() == nullptr);
    CHECK(files.size() == 0);
    CHECK_FALSE(files.problem().empty());
    CHECK(files.find("/index.html") == nullptr);

    const static_files none;  // no web root configured at all
    CHECK_FALSE(none.has_index());
    CHECK(none.find("/index.html") == nullptr);
}

TEST_CASE("static files without index.html still serve the other files") {
    temp_dir root;
    write_file(root, "parley.js", "js");
    const static_files files = static_files::load(root.path());
    CHECK_FALSE(files.has_index());
    CHECK(files.find("/parley.js") != nullptr);
    CHECK(files.problem().find("index.html") != std::string::npos);
}

TEST_CASE("static files refuse a web root over the file limit") {
    temp_dir root;
    write_file(root, "index.html", "x");
    for (std::size_t i = 0; i < static_files::max_files; ++i) write_file(root, "f" + std::to_string(i) + ".js", "x");
    const static_files files = static_files::load(root.path());
    CHECK(files.size() == 0);
    CHECK_FALSE(files.has_index());
    CHECK_FALSE(files.problem().empty());
}

TEST_CASE("static files keep their index across a move") {
    temp_dir root;
    write_bundle(root);
    static_files from = static_files::load(root.path());
    const static_file* index = from.index();
    const static_files to = std::move(from);
    CHECK(to.index() == index);
    CHECK(*to.index()->identity.bytes == "<!doctype html><title>Parley</title>");
}

TEST_CASE("static file lookup refuses path traversal in every spelling") {
    // A root inside a parent that holds a file a traversal would reach.
    temp_dir parent;
    write_file(parent, "secret.js", "outside the web root");
    write_file(parent, "root/index.html", "index");
    write_file(parent, "root/a/x.js", "nested");
    write_file(parent, "root/x.js", "top");
    const static_files files = static_files::load(parent.path() / "root");
    REQUIRE(files.find("/x.js") != nullptr);
    REQUIRE(files.find("/a/x.js") != nullptr);

    const char* hostile[] = {
        "/../secret.js",
        "/../etc/passwd",
        "/%2e%2e/secret.js",
        "/%2E%2E/secret.js",
        "/a/%2E%2E/%2E%2E/secret.js",
        "/a/../x.js",          // would land inside the root, but ".." is refused outright
        "/a/%2e%2e/x.js",
        "/..%2fsecret.js",
        "/a%2fx.js",           // an encoded slash is never a separator
        "/x%00.js",
        "/x.js%00",
        "/\\..\\secret.js",
        "/a\\x.js",
        "//etc/passwd",
        "//x.js",
        "/./x.js",
        "/%2e/x.js",
        "/%252e%252e/secret.js",
        "/x.js%",
        "/%c0%ae%c0%ae/secret.js",  // overlong UTF-8 dots: bytes, not dots, so simply no such file
        "x.js",
        "/.git/config.js",
    };
    for (const char* target : hostile) {
        CAPTURE(target);
        CHECK(files.find(target) == nullptr);
    }
    CHECK(files.find(std::string_view("/x.js\0", 6)) == nullptr);
}

TEST_CASE("static files do not serve a symlink that leads out of the web root") {
    temp_dir dir;
    write_file(dir, "outside/secret.txt", "TOP-SECRET");
    write_file(dir, "outside/dir/also.txt", "ALSO-SECRET");
    write_file(dir, "web/index.html", "<!doctype html>");
    write_file(dir, "web/real.js", "real");
    write_file(dir, "web/.private/hidden.js", "hidden");
    const fs::path web = dir.path() / "web";
    fs::create_symlink(dir.path() / "outside/secret.txt", web / "leak.txt");    // absolute, out
    fs::create_symlink("../outside/secret.txt", web / "relative.txt");           // relative, out
    fs::create_symlink("/etc/passwd", web / "passwd.txt");                       // a system file
    fs::create_symlink(dir.path() / "outside/dir", web / "linked-dir");          // a directory, out
    fs::create_symlink("real.js", web / "alias.js");                             // inside: served
    fs::create_symlink(".private/hidden.js", web / "peek.js");                   // inside, a dot path
    fs::create_symlink(dir.path() / "outside/secret.txt.gz", web / "real.js.gz");  // dangling, out

    const static_files files = static_files::load(web);
    CHECK(files.has_index());
    for (const char* url :
         {"/leak.txt", "/relative.txt", "/passwd.txt", "/linked-dir/also.txt", "/peek.js"}) {
        CAPTURE(url);
        CHECK(files.find(url) == nullptr);
    }
    const static_file* alias = files.find("/alias.js");
    REQUIRE(alias != nullptr);
    CHECK(*alias->identity.bytes == "real");
    REQUIRE(files.find("/real.js") != nullptr);
    CHECK(!files.find("/real.js")->gzip);
    CHECK(files.size() == 3);  // index.html, real.js, alias.js
    // The operator learns which links were skipped.
    CHECK(files.problem().find("leak.txt") != std::string::npos);
    CHECK(files.problem().find("relative.txt") != std::string::npos);
}

TEST_CASE("static files serve a web root that is itself a symlink") {
    temp_dir dir;
    write_file(dir, "release-1/index.html", "<!doctype html>");
    write_file(dir, "release-1/app.js", "app");
    fs::create_symlink(dir.path() / "release-1", dir.path() / "current");
    const static_files files = static_files::load(dir.path() / "current");
    CHECK(files.has_index());
    CHECK(files.find("/app.js") != nullptr);
    CHECK(files.problem().empty());
}
