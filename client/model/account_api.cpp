// The platform-independent part of account_api: reply parsing and URL helpers.
#include "model/account_api.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace parley::client {
namespace {

/// A string member of `object`, or empty.
std::string string_field(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

account_reply parse_account_reply(int status, std::string_view body, std::string_view retry_after) {
    account_reply reply;
    reply.status = status;
    int seconds = 0;
    const auto [end, problem] = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    if (problem == std::errc() && end == retry_after.data() + retry_after.size() && seconds > 0)
        reply.retry_after_s = seconds;
    const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object()) {
        reply.error = string_field(json, "error");
        reply.token = string_field(json, "token");
        reply.user = string_field(json, "user");
        reply.role = string_field(json, "role");
    }
    if (!reply.ok() && reply.error.empty()) reply.error = "the server answered " + std::to_string(status);
    return reply;
}

std::string http_base_of(std::string_view ws_url) {
    std::string out;
    if (ws_url.starts_with("ws://")) {
        out = "http://";
        ws_url.remove_prefix(5);
    } else if (ws_url.starts_with("wss://")) {
        out = "https://";
        ws_url.remove_prefix(6);
    } else {
        return std::string(ws_url);
    }
    out += ws_url.substr(0, ws_url.find_first_of("/?#"));
    return out;
}

std::string credentials_body(const std::string& user, const std::string& password) {
    // dump() with replace: a password that is not valid UTF-8 still yields valid JSON
    // (the server then refuses it) instead of throwing across the UI loop.
    return nlohmann::json{{"user", user}, {"password", password}}.dump(-1, ' ', false,
                                                                       nlohmann::json::error_handler_t::replace);
}

}  // namespace parley::client
