#include "http/api.hpp"

#include <algorithm>
#include <cstdint>
#include <atomic>
#include <exception>
#include <memory>

#include <nlohmann/json.hpp>

#include "accounts/account_service.hpp"
#include "log/log.hpp"
#include "http/origin.hpp"
#include "http/query.hpp"
#include "http/url_path.hpp"

namespace parley::server {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

/// How many audit entries one request returns at most: a page an admin's browser shows
/// at once (some 200 KB of JSON); older ones are a `parley-server admin audit` away.
constexpr int max_audit_entries = 1000;
/// Without `limit=`: a screenful and a half.
constexpr int default_audit_entries = 100;

api_response make_response(unsigned status, std::string body, unsigned version, bool keep_alive,
                           std::string_view server_name) {
    api_response res{static_cast<http::status>(status), version};
    res.set(http::field::server, server_name);
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    if (!body.empty()) res.set(http::field::content_type, "application/json");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

std::string error_body(std::string_view text) { return json{{"error", text}}.dump(); }

/// Reads {"user": string, "password": string}; false when the body is not that.
bool read_credentials(const std::string& body, std::string& user, std::string& password) {
    const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) return false;
    const auto u = parsed.find("user");
    const auto p = parsed.find("password");
    if (u == parsed.end() || p == parsed.end() || !u->is_string() || !p->is_string()) return false;
    user = u->get<std::string>();
    password = p->get<std::string>();
    return true;
}

}  // namespace

std::string bearer_token(std::string_view authorization) {
    constexpr std::string_view prefix = "Bearer ";
    if (authorization.size() <= prefix.size()) return {};
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i])))
            return {};
    return std::string(authorization.substr(prefix.size()));
}

namespace {

void answer_api(http::request<http::string_body>& req, const api_context& ctx, std::string address,
                const std::function<void(api_response)>& done) {
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    const std::string server_name(ctx.server_name);
    auto reply = [done, version, keep_alive, server_name](const accounts::api_answer& answer) {
        auto res = make_response(answer.status, answer.body, version, keep_alive, server_name);
        if (answer.retry_after_s) res.set(http::field::retry_after, std::to_string(*answer.retry_after_s));
        done(std::move(res));
    };
    auto refuse = [&](unsigned status, std::string_view text) {
        reply(accounts::api_answer{status, error_body(text), std::nullopt});
    };

    // Cross-site requests from a browser page of another origin are refused outright.
    if (!origin_allowed(req[http::field::origin], req[http::field::host], ctx.tls, ctx.allowed_origins))
        return refuse(403, "origin not allowed");

    const std::string_view path = target_path(req.target());
    const auto method = req.method();
    auto require = [&](http::verb verb) {
        if (method == verb) return true;
        auto res = make_response(405, error_body("method not allowed"), version, keep_alive, server_name);
        res.set(http::field::allow, verb == http::verb::post ? "POST" : "GET");
        done(std::move(res));
        return false;
    };

    if (path == "/api/register" || path == "/api/login") {
        if (!require(http::verb::post)) return;
        std::string user, password;
        if (!read_credentials(req.body(), user, password))
            return refuse(400, "the body must be {\"user\": string, \"password\": string}");
        if (path == "/api/register")
            return ctx.accounts.register_account(std::move(user), std::move(password), std::move(address), reply);
        return ctx.accounts.login(std::move(user), std::move(password), std::move(address), reply);
    }
    if (path == "/api/logout") {
        if (!require(http::verb::post)) return;
        std::string token = bearer_token(req[http::field::authorization]);
        if (token.empty()) return refuse(401, "Authorization: Bearer <token> required");
        return ctx.accounts.logout(std::move(token), std::move(address), reply);
    }
    if (path == "/api/audit") {
        if (!require(http::verb::get)) return;
        std::string token = bearer_token(req[http::field::authorization]);
        if (token.empty()) return refuse(401, "Authorization: Bearer <token> required");
        // Parsed by parameter: `?nolimit=5` is not `limit`; a repeated or malformed one is refused.
        const auto params = parse_query(target_query(req.target()));
        if (!params) return refuse(400, "malformed query");
        const auto limit = find_param(*params, "limit");
        if (limit.count > 1) return refuse(400, "limit is given twice");
        int count = default_audit_entries;
        if (limit.count == 1) {
            const auto n = parse_canonical_decimal(limit.value, INT64_MAX);
            if (!n || *n < 1) return refuse(400, "limit must be a whole number from 1 (written without leading zeros)");
            count = static_cast<int>(std::min<std::int64_t>(*n, max_audit_entries));
        }
        return ctx.accounts.audit_log(std::move(token), count, reply);
    }
    refuse(404, "not found");
}

}  // namespace

void handle_api(http::request<http::string_body>&& req, const api_context& ctx, std::string address,
                std::function<void(api_response)> done) {
    // The one catch at the edge: nothing thrown below may reach the session's handler.
    // `done` runs once: a throw after it answered is only logged.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto once = [done = std::move(done), answered](api_response res) {
        if (answered->exchange(true)) return;
        done(std::move(res));
    };
    const unsigned version = req.version();
    try {
        answer_api(req, ctx, std::move(address), once);
        return;
    } catch (const std::exception& e) {
        log_error(std::string("api: ") + e.what());
    } catch (...) {
        log_error("api: unknown exception");
    }
    try {
        if (!answered->load())
            once(make_response(500, error_body("internal error"), version, false, ctx.server_name));
    } catch (...) {
        log_error("api: the error answer failed too");
    }
}

}  // namespace parley::server
