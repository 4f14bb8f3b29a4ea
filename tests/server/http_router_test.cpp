#include "http/router.hpp"

#include <doctest/doctest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;
using parley::server::handle_http;
using parley::server::http_context;
using parley::server::server_metrics;
using parley::server::static_files;

namespace {

/// A web root with the bundle's kinds of files, removed at the end of the test.
class web_root {
public:
    web_root() {
        std::string pattern = (fs::temp_directory_path() / "parley-router-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
        write("index.html", index_html);
        write("index.html.gz", index_gz);
        write("parley.js", "console.log('parley');");
        write("parley.wasm", std::string("\0asm\x01\0\0\0", 8));
        write("style.css", "body{}");
        write("font.ttf", "ttf");
        write("logo.png", "png");
        write("icon.svg", "<svg/>");
        write("favicon.ico", "ico");
    }
    ~web_root() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    web_root(const web_root&) = delete;
    web_root& operator=(const web_root&) = delete;

    const fs::path& path() const { return path_; }

    static constexpr const char* index_html = "<!doctype html><title>Parley</title>";
    inline static const std::string index_gz =
        std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10) + "pretend-deflate-data";

private:
    void write(const std::string& name, const std::string& bytes) const {
        std::ofstream out(path_ / name, std::ios::binary);
        out << bytes;
        REQUIRE(out.good());
    }
    fs::path path_;
};

/// One answer, as a client reads it off the wire.
struct answer {
    bhttp::response<bhttp::string_body> res;
    std::string wire;  ///< every byte the generator produced
};

bhttp::request<bhttp::string_body> make_request(bhttp::verb method, std::string_view target) {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    return req;
}

/// Runs the router and reads its output back with Beast's own parser, as a client would.
answer run(bhttp::request<bhttp::string_body> req, const http_context& ctx) {
    const bool head = req.method() == bhttp::verb::head;
    bhttp::message_generator gen = handle_http(std::move(req), ctx);
    answer a;
    boost::system::error_code ec;
    while (!gen.is_done()) {
        const auto buffers = gen.prepare(ec);
        REQUIRE_FALSE(ec);
        std::size_t n = 0;
        for (const auto& b : buffers) {
            a.wire.append(static_cast<const char*>(b.data()), b.size());
            n += b.size();
        }
        gen.consume(n);
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);  // a response to HEAD has no body whatever its Content-Length says
    parser.eager(true);
    const std::size_t used = parser.put(boost::asio::buffer(a.wire), ec);
    if (ec == bhttp::error::need_more) {  // an answer with no length runs to end of stream
        parser.put_eof(ec);
    }
    REQUIRE_FALSE(ec);
    REQUIRE(parser.is_done());
    CHECK(used == a.wire.size());  // nothing after the message
    a.res = parser.release();
    return a;
}

/// A server's worth of state for the router.
struct fixture {
    web_root root;
    static_files files = static_files::load(root.path());
    server_metrics metrics;
    http_context ctx{files, metrics, "parley/1.0"};

    answer get(std::string_view target) { return run(make_request(bhttp::verb::get, target), ctx); }
};

void check_common_headers(const bhttp::response<bhttp::string_body>& res) {
    CHECK(res[bhttp::field::server] == "parley/1.0");
    CHECK(res["X-Content-Type-Options"] == "nosniff");
    CHECK(res["Referrer-Policy"] == "no-referrer");
    CHECK(res["X-Frame-Options"] == "DENY");
    // The page's policy allows its own files and WebAssembly, never inline script.
    const std::string csp(res["Content-Security-Policy"]);
    CHECK(csp.find("default-src 'none'") != std::string::npos);
    CHECK(csp.find("script-src 'self' 'wasm-unsafe-eval'") != std::string::npos);
    CHECK(csp.find("unsafe-inline") == std::string::npos);
}

}  // namespace

TEST_CASE("router answers healthz with ok") {
    fixture f;
    const answer a = f.get("/healthz");
    CHECK(a.res.result() == bhttp::status::ok);
    CHECK(a.res.body() == "ok");
    CHECK(a.res[bhttp::field::content_type].starts_with("text/plain"));
    check_common_headers(a.res);
    CHECK(f.get("/healthz?probe=1").res.body() == "ok");
}

TEST_CASE("router answers readyz 200 only while the store reaches its database") {
    fixture f;
    auto a = f.get("/readyz");
    CHECK(a.res.result() == bhttp::status::service_unavailable);  // not yet heard from
    CHECK(a.res.body().find("not ready") == 0);
    f.metrics.note_store_contact(true);
    a = f.get("/readyz");
    CHECK(a.res.result() == bhttp::status::ok);
    CHECK(a.res.body() == "ready");
    f.metrics.note_store_contact(false);
    a = f.get("/readyz");
    CHECK(a.res.result() == bhttp::status::service_unavailable);
    CHECK(a.res.body().find("does not answer") != std::string::npos);
    CHECK(render_prometheus(f.metrics).find("parley_store_ready 0") != std::string::npos);
}

TEST_CASE("readiness ends when the store has not been heard from for a while (a stuck storage thread)") {
    using parley::server::readiness_problem;
    using parley::server::store_contact_stale_ms;
    parley::server::server_metrics metrics;
    metrics.note_store_contact(true);
    const auto at = metrics.store_reached_at_ms.load();
    CHECK(readiness_problem(metrics, at + store_contact_stale_ms).empty());
    const auto stale = readiness_problem(metrics, at + store_contact_stale_ms + 5000);
    CHECK(stale.find("has not reached its database for 15 s") != std::string::npos);
}

TEST_CASE("router serves metrics as Prometheus text and counts requests") {
    fixture f;
    f.metrics.count_error(parley::error_code::too_long);
    f.metrics.store_batch_seconds.observe(0.0002);
    f.get("/healthz");
    f.get("/nope");
    const answer a = f.get("/metrics");
    CHECK(a.res.result() == bhttp::status::ok);
    CHECK(a.res[bhttp::field::content_type].starts_with("text/plain; version=0.0.4"));
    CHECK(a.res[bhttp::field::cache_control] == "no-store");
    const std::string& body = a.res.body();
    CHECK(body.find("\nparley_http_requests_total 3\n") != std::string::npos);  // this one included
    for (const parley::error_code code : parley::all_error_codes) {
        const std::string line = "parley_protocol_errors_total{code=\"" + std::string(parley::to_string(code)) +
                                 "\"} " + (code == parley::error_code::too_long ? "1" : "0") + "\n";
        CAPTURE(line);
        CHECK(body.find(line) != std::string::npos);
    }
    CHECK(body.find("parley_store_batch_seconds_bucket{le=\"0.0001\"} 0\n") != std::string::npos);
    CHECK(body.find("parley_store_batch_seconds_bucket{le=\"0.00025\"} 1\n") != std::string::npos);
    CHECK(body.find("parley_store_batch_seconds_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
    CHECK(f.metrics.http_requests == 3);
}

TEST_CASE("router serves each static file with its mime type and the security headers") {
    fixture f;
    const struct {
        const char* target;
        const char* type;
    } cases[] = {
        {"/parley.js", "text/javascript; charset=utf-8"},
        {"/parley.wasm", "application/wasm"},
        {"/style.css", "text/css; charset=utf-8"},
        {"/font.ttf", "font/ttf"},
        {"/logo.png", "image/png"},
        {"/icon.svg", "image/svg+xml"},
        {"/favicon.ico", "image/x-icon"},
        {"/index.html", "text/html; charset=utf-8"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.target);
        const answer a = f.get(c.target);
        CHECK(a.res.result() == bhttp::status::ok);
        CHECK(a.res[bhttp::field::content_type] == c.type);
        CHECK_FALSE(a.res[bhttp::field::etag].empty());
        check_common_headers(a.res);
    }
    const answer wasm = f.get("/parley.wasm");
    CHECK(wasm.res.body() == std::string("\0asm\x01\0\0\0", 8));
    CHECK(wasm.res[bhttp::field::content_length] == "8");
}

TEST_CASE("router caches index.html for no time and other files for an hour") {
    fixture f;
    CHECK(f.get("/").res[bhttp::field::cache_control] == "no-cache");
    CHECK(f.get("/index.html").res[bhttp::field::cache_control] == "no-cache");
    CHECK(f.get("/fishing").res[bhttp::field::cache_control] == "no-cache");
    CHECK(f.get("/parley.js").res[bhttp::field::cache_control] == "public, max-age=3600");
    CHECK(f.get("/parley.wasm").res[bhttp::field::cache_control] == "public, max-age=3600");
}

TEST_CASE("router answers a matching If-None-Match with 304 and no body") {
    fixture f;
    const answer first = f.get("/parley.js");
    const std::string tag(first.res[bhttp::field::etag]);
    REQUIRE_FALSE(tag.empty());
    CHECK(f.get("/parley.js").res[bhttp::field::etag] == tag);  // stable between requests

    auto req = make_request(bhttp::verb::get, "/parley.js");
    req.set(bhttp::field::if_none_match, tag);
    const answer a = run(std::move(req), f.ctx);
    CHECK(a.res.result() == bhttp::status::not_modified);
    CHECK(a.res.body().empty());
    CHECK(a.res[bhttp::field::etag] == tag);
    CHECK(a.res[bhttp::field::cache_control] == "public, max-age=3600");
    CHECK(a.res.find(bhttp::field::content_length) == a.res.end());
    check_common_headers(a.res);

    auto other = make_request(bhttp::verb::get, "/parley.js");
    other.set(bhttp::field::if_none_match, "\"00000000000000000000000000000000\"");
    CHECK(run(std::move(other), f.ctx).res.result() == bhttp::status::ok);

    auto deep = make_request(bhttp::verb::get, "/fishing");  // deep links revalidate index.html
    deep.set(bhttp::field::if_none_match, std::string(f.get("/").res[bhttp::field::etag]));
    CHECK(run(std::move(deep), f.ctx).res.result() == bhttp::status::not_modified);
}

TEST_CASE("router sends the gzip sibling only when the client accepts gzip") {
    fixture f;
    const struct {
        const char* accept_encoding;  // nullptr: no header
        bool gzip;
    } cases[] = {
        {nullptr, false},
        {"gzip, deflate, br", true},
        {"br, gzip;q=0.5", true},
        {"gzip;q=0", false},
        {"identity", false},
        {"*", true},
        {"*;q=0", false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.accept_encoding ? c.accept_encoding : "(none)");
        auto req = make_request(bhttp::verb::get, "/");
        if (c.accept_encoding) req.set(bhttp::field::accept_encoding, c.accept_encoding);
        const answer a = run(std::move(req), f.ctx);
        CHECK(a.res.result() == bhttp::status::ok);
        CHECK(a.res[bhttp::field::vary] == "Accept-Encoding");
        CHECK(a.res[bhttp::field::content_type] == "text/html; charset=utf-8");
        if (c.gzip) {
            CHECK(a.res[bhttp::field::content_encoding] == "gzip");
            CHECK(a.res.body() == web_root::index_gz);
        } else {
            CHECK(a.res.find(bhttp::field::content_encoding) == a.res.end());
            CHECK(a.res.body() == web_root::index_html);
        }
    }
    // A file without a sibling varies by nothing.
    auto js = make_request(bhttp::verb::get, "/parley.js");
    js.set(bhttp::field::accept_encoding, "gzip");
    const answer plain = run(std::move(js), f.ctx);
    CHECK(plain.res.find(bhttp::field::content_encoding) == plain.res.end());
    CHECK(plain.res.find(bhttp::field::vary) == plain.res.end());
}

TEST_CASE("router tags the gzip and identity representations apart") {
    fixture f;
    auto gz = make_request(bhttp::verb::get, "/");
    gz.set(bhttp::field::accept_encoding, "gzip");
    const std::string gz_tag(run(std::move(gz), f.ctx).res[bhttp::field::etag]);
    const std::string plain_tag(f.get("/").res[bhttp::field::etag]);
    CHECK(gz_tag != plain_tag);

    // The gzip tag revalidates the gzip answer only.
    auto again = make_request(bhttp::verb::get, "/");
    again.set(bhttp::field::accept_encoding, "gzip");
    again.set(bhttp::field::if_none_match, gz_tag);
    CHECK(run(std::move(again), f.ctx).res.result() == bhttp::status::not_modified);
    auto identity = make_request(bhttp::verb::get, "/");
    identity.set(bhttp::field::if_none_match, gz_tag);
    CHECK(run(std::move(identity), f.ctx).res.result() == bhttp::status::ok);
}

TEST_CASE("router answers HEAD with the headers and Content-Length but no body") {
    fixture f;
    for (const char* target : {"/parley.js", "/", "/healthz", "/nope"}) {
        CAPTURE(target);
        const answer get = f.get(target);
        const answer head = run(make_request(bhttp::verb::head, target), f.ctx);
        CHECK(head.res.result() == get.res.result());
        CHECK(head.res[bhttp::field::content_length] == std::to_string(get.res.body().size()));
        CHECK(head.res[bhttp::field::content_type] == get.res[bhttp::field::content_type]);
        CHECK(head.res[bhttp::field::etag] == get.res[bhttp::field::etag]);
        CHECK(head.wire.ends_with("\r\n\r\n"));  // the header block and not one byte more
        CHECK(head.wire.size() < get.wire.size());
    }
}

TEST_CASE("router refuses methods other than GET and HEAD with 405 and Allow") {
    fixture f;
    for (const bhttp::verb method : {bhttp::verb::post, bhttp::verb::put, bhttp::verb::delete_, bhttp::verb::options,
                                     bhttp::verb::patch}) {
        for (const char* target : {"/", "/parley.js", "/healthz"}) {
            CAPTURE(target);
            const answer a = run(make_request(method, target), f.ctx);
            CHECK(a.res.result() == bhttp::status::method_not_allowed);
            CHECK(a.res[bhttp::field::allow] == "GET, HEAD");
            check_common_headers(a.res);
        }
    }
}

TEST_CASE("router serves index.html for / and channel deep links") {
    fixture f;
    for (const char* target : {"/", "/fishing", "/general", "/a", "/room_2-b", "/fishing?name=ann"}) {
        CAPTURE(target);
        const answer a = f.get(target);
        CHECK(a.res.result() == bhttp::status::ok);
        CHECK(a.res.body() == web_root::index_html);
        CHECK(a.res[bhttp::field::content_type] == "text/html; charset=utf-8");
    }
}

TEST_CASE("router answers 404 for paths that break the channel rule or name no file") {
    fixture f;
    for (const char* target : {"/Fishing", "/fish.ing", "/parley.jsx", "/-fishing", "/_a", "/fishing/", "/fishing/x",
                               "/abcdefghijklmnopqrstuvwxyz0123456", "/index.htm", "/metrics/", "/healthz/x",
                               "/server.key"}) {
        CAPTURE(target);
        const answer a = f.get(target);
        CHECK(a.res.result() == bhttp::status::not_found);
        CHECK(a.res[bhttp::field::content_type].starts_with("text/plain"));
        check_common_headers(a.res);
    }
}

TEST_CASE("router refuses traversal targets with 400 and never serves a file outside the root") {
    fixture f;
    std::ofstream(f.root.path().parent_path() / "parley-router-outside.js") << "outside";
    const char* hostile[] = {
        "/../etc/passwd",
        "/../parley-router-outside.js",
        "/%2e%2e/x",
        "/%2E%2E/parley-router-outside.js",
        "/a/%2E%2E/%2E%2E/x",
        "/..%2fx",
        "/..%2fparley-router-outside.js",
        "/x%00.js",
        "/parley.js%00",
        "/\\..\\x",
        "//etc/passwd",
        "/./parley.js",
        "/%2e/parley.js",
        "/%252e%252e/x",
        "/%zz",
        "*",
        "http://127.0.0.1/parley.js",
    };
    for (const char* target : hostile) {
        CAPTURE(target);
        const answer a = f.get(target);
        CHECK(a.res.result() == bhttp::status::bad_request);
        CHECK(a.res.body().find("outside") == std::string::npos);
        check_common_headers(a.res);
    }
    fs::remove(f.root.path().parent_path() / "parley-router-outside.js");
}

TEST_CASE("router answers pages with 503 when the browser client is not built") {
    web_root unused;  // keeps the fixture shape; the context below has no files
    const static_files none = static_files::load(unused.path() / "missing");
    server_metrics metrics;
    const http_context ctx{none, metrics, "parley/1.0"};
    for (const char* target : {"/", "/fishing"}) {
        CAPTURE(target);
        const answer a = run(make_request(bhttp::verb::get, target), ctx);
        CHECK(a.res.result() == bhttp::status::service_unavailable);
        CHECK(a.res[bhttp::field::content_type] == "text/html; charset=utf-8");
        CHECK(a.res.body().find("not built") != std::string::npos);
        check_common_headers(a.res);
    }
    CHECK(run(make_request(bhttp::verb::get, "/healthz"), ctx).res.result() == bhttp::status::ok);
    CHECK(run(make_request(bhttp::verb::get, "/metrics"), ctx).res.result() == bhttp::status::ok);
    CHECK(run(make_request(bhttp::verb::get, "/parley.js"), ctx).res.result() == bhttp::status::not_found);
}

TEST_CASE("router honours keep-alive as the request asks") {
    fixture f;
    auto keep = make_request(bhttp::verb::get, "/healthz");  // HTTP/1.1 keeps alive by default
    CHECK(handle_http(std::move(keep), f.ctx).keep_alive());

    auto close = make_request(bhttp::verb::get, "/healthz");
    close.keep_alive(false);
    bhttp::message_generator gen = handle_http(std::move(close), f.ctx);
    CHECK_FALSE(gen.keep_alive());

    bhttp::request<bhttp::string_body> old{bhttp::verb::get, "/parley.js", 10};  // HTTP/1.0 closes by default
    CHECK_FALSE(handle_http(std::move(old), f.ctx).keep_alive());
    bhttp::request<bhttp::string_body> old_keep{bhttp::verb::get, "/parley.js", 10};
    old_keep.keep_alive(true);
    const answer a = run(std::move(old_keep), f.ctx);
    CHECK(a.res.version() == 10);
    CHECK(a.res.keep_alive());
}
