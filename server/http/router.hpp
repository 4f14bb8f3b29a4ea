#pragma once
// What answers a plain HTTP request (route::page, http/route.hpp): the browser client's
// files, its channel deep links, /healthz and /metrics. A pure function of the parsed
// request and the server's state, so it is tested without sockets; the http session only
// reads requests and writes the answers.

#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "http/static_files.hpp"
#include "metrics/metrics.hpp"

namespace parley::server {

/// What the router reads to answer. Borrowed: everything referenced is owned by the server
/// and outlives every session. Any thread may use one context concurrently.
struct http_context {
    const static_files& files;  ///< the loaded web root (possibly empty)
    server_metrics& metrics;    ///< counts http_requests; read for /metrics
    std::string_view server_name;  ///< the Server header, e.g. "parley/1.0"
    bool tls = false;              ///< served over TLS: every answer carries Strict-Transport-Security
};

/// The Strict-Transport-Security value of a TLS server: a year, the span browsers' HSTS
/// preload lists ask for; a TLS port serves nothing in plain text, so there is no fallback.
inline constexpr std::string_view hsts_value = "max-age=31536000";

/// How long the store may go without reaching its database before the server stops
/// being ready: five of the storage thread's idle probes (batching_store, 2 s apart).
inline constexpr std::int64_t store_contact_stale_ms = 10'000;

/// Why the server is not ready at steady time `now_ms` (the store's database did not
/// answer, or nothing was heard from it for store_contact_stale_ms: a storage thread stuck
/// in a batch); "" when it is ready.
std::string readiness_problem(const server_metrics& metrics, std::int64_t now_ms);

/// The answer to one plain (non-upgrade) request. Never throws on any request; keep-alive
/// follows `req.keep_alive()`. File bodies share the loaded bytes, so the answer stays valid
/// even if it outlives `ctx`. Any thread.
///
/// GET/HEAD `/healthz` 200 "ok" (liveness); `/readyz` 200 "ready" or 503 with the reason
/// (readiness_problem); `/metrics` Prometheus text; `/`, `/<channel>` index.html
/// (503 page when the client is not built); `/<file>` a loaded file (gzip when accepted, 304 on
/// a matching If-None-Match); other methods 405; a hostile or malformed target 400; anything
/// else 404. Only route::page requests come here (http/route.hpp): upgrades and `/api` are
/// routed elsewhere before, once.
boost::beast::http::message_generator handle_http(
    boost::beast::http::request<boost::beast::http::string_body>&& req, const http_context& ctx);

}  // namespace parley::server
