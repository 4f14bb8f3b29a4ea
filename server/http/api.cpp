#include "http/api.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "accounts/account_service.hpp"
#include "http/origin.hpp"
#include "http/url_path.hpp"

namespace parley::server {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

/// How many audit entries one request returns at most.
constexpr int max_audit_entries = 1000;

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

int limit_from_query(std::string_view target) {
    const auto q = target.find("limit=");
    if (q == std::string_view::npos) return 100;
    int value = 100;
    const auto digits = target.substr(q + 6);
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return std::clamp(value, 1, max_audit_entries);
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

void handle_api(http::request<http::string_body>&& req, const api_context& ctx, std::string address,
                std::function<void(api_response)> done) {
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
        return ctx.accounts.logout(std::move(token), reply);
    }
    if (path == "/api/audit") {
        if (!require(http::verb::get)) return;
        std::string token = bearer_token(req[http::field::authorization]);
        if (token.empty()) return refuse(401, "Authorization: Bearer <token> required");
        return ctx.accounts.audit_log(std::move(token), limit_from_query(req.target()), reply);
    }
    refuse(404, "not found");
}

}  // namespace parley::server
