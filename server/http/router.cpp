#include "http/router.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/optional/optional.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "http/header_values.hpp"
#include "http/url_path.hpp"
#include "parley/core/text.hpp"

namespace parley::server {
namespace {

namespace bhttp = boost::beast::http;
using request = bhttp::request<bhttp::string_body>;

/// A body that sends bytes shared with the loaded web root: a 5 MB .wasm is not copied per
/// request, and the response keeps the bytes alive however long its write takes.
struct shared_bytes_body {
    using value_type = std::shared_ptr<const std::string>;

    static std::uint64_t size(const value_type& body) { return body ? body->size() : 0; }

    class writer {
    public:
        using const_buffers_type = boost::asio::const_buffer;

        template <bool is_request, class Fields>
        writer(const bhttp::header<is_request, Fields>&, const value_type& body) : body_(body) {}

        void init(boost::system::error_code& ec) { ec = {}; }

        // One buffer holding everything; `false` says there is no more.
        boost::optional<std::pair<const_buffers_type, bool>> get(boost::system::error_code& ec) {
            ec = {};
            if (!body_) return boost::none;
            return {{const_buffers_type(body_->data(), body_->size()), false}};
        }

    private:
        const value_type& body_;
    };
};

constexpr std::string_view cache_static = "public, max-age=3600";  // an hour; the ETag revalidates
constexpr std::string_view cache_index = "no-cache";  // always revalidate, so a deploy shows at once
constexpr std::string_view cache_none = "no-store";   // health, metrics and errors are live answers

constexpr std::string_view text_plain = "text/plain; charset=utf-8";

/// What the browser client needs and nothing more: its own scripts, styles, data and
/// WebSocket ('self' covers ws:/wss: to the same host), compiling its WebAssembly, and the
/// empty data: icon. No inline script, no plugins, no framing, no foreign connections.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

constexpr std::string_view not_built_page =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Parley</title></head>\n"
    "<body><h1>Parley</h1><p>The browser client is not built on this server. The chat server is "
    "running: connect with the native client or any WebSocket client.</p></body></html>\n";

/// Adds what every answer carries, sizes it, and drops the body of an answer to HEAD while
/// keeping its Content-Length.
template <class Body>
bhttp::message_generator finish(bhttp::response<Body>&& res, const request& req, const http_context& ctx) {
    res.set(bhttp::field::server, ctx.server_name);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Frame-Options", "DENY");
    if (ctx.tls) res.set(bhttp::field::strict_transport_security, hsts_value);
    res.keep_alive(req.keep_alive());
    // A 304 has no content; a Content-Length on it would have to be the 200's, so none is sent.
    if (res.result() != bhttp::status::not_modified) res.prepare_payload();
    if (req.method() == bhttp::verb::head) {
        bhttp::response<bhttp::empty_body> head{std::move(res.base())};
        return head;
    }
    return std::move(res);
}

bhttp::message_generator text_answer(bhttp::status status, std::string body, std::string_view content_type,
                                     const request& req, const http_context& ctx) {
    bhttp::response<bhttp::string_body> res{status, req.version()};
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, cache_none);
    res.body() = std::move(body);
    return finish(std::move(res), req, ctx);
}

bhttp::message_generator file_answer(const static_file& file, std::string_view cache_control, const request& req,
                                     const http_context& ctx) {
    const bool gzip = file.gzip && accepts_gzip(req[bhttp::field::accept_encoding]);
    const file_variant& variant = gzip ? *file.gzip : file.identity;

    const auto set_validators = [&](auto& res) {
        res.set(bhttp::field::etag, variant.etag);
        res.set(bhttp::field::cache_control, cache_control);
        if (file.gzip) res.set(bhttp::field::vary, "Accept-Encoding");
    };

    if (const auto inm = req.find(bhttp::field::if_none_match);
        inm != req.end() && if_none_match_matches(inm->value(), variant.etag)) {
        bhttp::response<bhttp::empty_body> res{bhttp::status::not_modified, req.version()};
        set_validators(res);
        return finish(std::move(res), req, ctx);
    }
    bhttp::response<shared_bytes_body> res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, file.content_type);
    if (gzip) res.set(bhttp::field::content_encoding, "gzip");
    set_validators(res);
    res.body() = variant.bytes;
    return finish(std::move(res), req, ctx);
}

}  // namespace

std::string readiness_problem(const server_metrics& metrics, std::int64_t now_ms) {
    const std::int64_t reached_at = metrics.store_reached_at_ms.load(std::memory_order_relaxed);
    if (reached_at == 0) return "the store has not reached its database yet";
    if (!metrics.store_reachable.load(std::memory_order_relaxed)) return "the store's database does not answer";
    const std::int64_t silent_ms = now_ms - reached_at;
    if (silent_ms > store_contact_stale_ms)
        return "the store has not reached its database for " + std::to_string(silent_ms / 1000) + " s";
    if (metrics.stream_enabled.load(std::memory_order_relaxed)) {
        const std::int64_t read_at = metrics.stream_read_at_ms.load(std::memory_order_relaxed);
        if (read_at == 0) return "the event stream has not been read yet";
        const std::int64_t deaf_ms = now_ms - read_at;
        if (deaf_ms > store_contact_stale_ms)
            return "the event stream has not been read for " + std::to_string(deaf_ms / 1000) + " s";
    }
    return "";
}

bhttp::message_generator handle_http(request&& req, const http_context& ctx) {
    ctx.metrics.http_requests.fetch_add(1, std::memory_order_relaxed);
    const std::string_view path = target_path(req.target());

    if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
        bhttp::response<bhttp::string_body> res{bhttp::status::method_not_allowed, req.version()};
        res.set(bhttp::field::allow, "GET, HEAD");
        res.set(bhttp::field::content_type, text_plain);
        res.set(bhttp::field::cache_control, cache_none);
        res.body() = "method not allowed\n";
        return finish(std::move(res), req, ctx);
    }

    if (path == "/healthz") return text_answer(bhttp::status::ok, "ok", text_plain, req, ctx);
    if (path == "/readyz") {
        const auto problem = readiness_problem(ctx.metrics, server_metrics::steady_now_ms());
        if (problem.empty()) return text_answer(bhttp::status::ok, "ready", text_plain, req, ctx);
        return text_answer(bhttp::status::service_unavailable, "not ready: " + problem + "\n", text_plain, req, ctx);
    }
    if (path == "/metrics")
        return text_answer(bhttp::status::ok, render_prometheus(ctx.metrics), "text/plain; version=0.0.4; charset=utf-8",
                           req, ctx);

    if (!decode_url_path(path)) return text_answer(bhttp::status::bad_request, "bad request\n", text_plain, req, ctx);

    if (const static_file* file = ctx.files.find(path))
        return file_answer(*file, file == ctx.files.index() ? cache_index : cache_static, req, ctx);

    // "/" and "/<channel>" are the page itself (deep links); the client reads the channel from the path.
    if (channel_from_path(path)) {
        if (const static_file* index = ctx.files.index()) return file_answer(*index, cache_index, req, ctx);
        return text_answer(bhttp::status::service_unavailable, std::string(not_built_page), "text/html; charset=utf-8",
                           req, ctx);
    }
    return text_answer(bhttp::status::not_found, "not found\n", text_plain, req, ctx);
}

}  // namespace parley::server
