#include "http/api.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>

#include <nlohmann/json.hpp>

#include "accounts/account_service.hpp"
#include "app/log.hpp"
#include "http/origin.hpp"
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

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Percent-decodes one side of a query pair; nullopt on a bad escape.
std::optional<std::string> decode_query_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = hex_digit(text[i + 1]);
            const int lo = hex_digit(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

query_parameter find_query_parameter(std::string_view target, std::string_view name) {
    query_parameter found;
    const auto question = target.find('?');
    if (question == std::string_view::npos) return found;
    std::string_view query = target.substr(question + 1);
    if (const auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
    while (true) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        if (!pair.empty()) {
            const auto eq = pair.find('=');
            const auto key = decode_query_text(pair.substr(0, eq));
            const auto value = decode_query_text(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
            if (!key || !value) return {false, std::nullopt};
            if (*key == name) {
                if (found.value) return {false, std::nullopt};  // twice: which one was meant?
                found.value = *value;
            }
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return found;
}

std::optional<std::int64_t> canonical_number(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    if (text.size() > 1 && text.front() == '0') return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

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
        const auto limit = find_query_parameter(req.target(), "limit");
        if (!limit.ok) return refuse(400, "malformed query");
        int count = default_audit_entries;
        if (limit.value) {
            const auto n = canonical_number(*limit.value);
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
