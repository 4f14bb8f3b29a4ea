#include "http/url_path.hpp"

#include <doctest/doctest.h>

#include <string>

using parley::server::decode_url_path;
using parley::server::target_path;

TEST_CASE("target path drops the query and the fragment") {
    CHECK(target_path("/app.js?v=2") == "/app.js");
    CHECK(target_path("/fishing#latest") == "/fishing");
    CHECK(target_path("/?name=ann") == "/");
    CHECK(target_path("/plain") == "/plain");
    CHECK(target_path("") == "");
}

TEST_CASE("url path decodes to a relative file path") {
    CHECK(decode_url_path("/") == std::string(""));
    CHECK(decode_url_path("/index.html") == std::string("index.html"));
    CHECK(decode_url_path("/assets/logo.png") == std::string("assets/logo.png"));
    CHECK(decode_url_path("/a%20b.css") == std::string("a b.css"));
    CHECK(decode_url_path("/app%2Ejs") == std::string("app.js"));
    CHECK(decode_url_path("/fishing/") == std::string("fishing/"));  // clean, but names no file
    CHECK(decode_url_path("/...") == std::string("..."));            // an ordinary name on POSIX
}

TEST_CASE("url path refuses hostile and malformed paths") {
    const char* hostile[] = {
        "",                      // no path at all
        "*",                     // asterisk-form
        "http://host/a.js",      // absolute-form
        "index.html",            // no leading slash
        "//etc/passwd",          // empty segment: network-path reference
        "/a//b.js",              // empty segment inside
        "/..",                   // parent
        "/.",                    // current
        "/../etc/passwd",        // parent, raw
        "/a/../../x",            // parent deeper
        "/%2e%2e/x",             // parent, encoded
        "/%2E%2E",               // parent, encoded upper case, last segment
        "/.%2e/x",               // parent, half encoded
        "/a/%2E%2E/%2E%2E/x",    // parents, encoded, nested
        "/..%2fx",               // encoded slash hides a parent
        "/a%2Fb.js",             // encoded slash at all
        "/..%5cx",               // encoded backslash
        "/\\..\\x",              // raw backslashes
        "/x%00.js",              // encoded NUL
        "/%0a.js",               // encoded control byte
        "/%252e%252e/x",         // double encoding
        "/%",                    // truncated escape
        "/%2",                   // truncated escape
        "/%zz",                  // bad hex
    };
    for (const char* target : hostile) {
        CAPTURE(target);
        CHECK_FALSE(decode_url_path(target).has_value());
    }
    CHECK_FALSE(decode_url_path(std::string_view("/x\0.js", 6)).has_value());  // raw NUL
    CHECK_FALSE(decode_url_path("/x\x7f.js").has_value());                      // raw DEL
}
