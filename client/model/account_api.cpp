// The platform-independent part of account_api: reply parsing and URL helpers.
#include "model/account_api.hpp"

#include <algorithm>
#include <charconv>

#include <optional>

#include <nlohmann/json.hpp>

namespace parley::client {
namespace {

/// A string member of `object`, or empty.
std::string string_field(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// An integer member of `object`, or nullopt when absent or not an integer.
std::optional<std::int64_t> integer_field(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
}

/// The audit entries of a GET /api/audit body; an entry without id, time, actor or action
/// is skipped rather than shown half empty.
std::vector<audit_entry> audit_entries(const nlohmann::json& json) {
    std::vector<audit_entry> out;
    const auto entries = json.find("entries");
    if (entries == json.end() || !entries->is_array()) return out;
    for (const nlohmann::json& item : *entries) {
        if (!item.is_object()) continue;
        const auto id = integer_field(item, "id");
        const auto at = integer_field(item, "at");
        audit_entry entry{id.value_or(0),
                          at.value_or(0),
                          string_field(item, "actor"),
                          string_field(item, "action"),
                          string_field(item, "target"),
                          string_field(item, "channel"),
                          string_field(item, "detail"),
                          string_field(item, "address")};
        if (!id || !at || entry.actor.empty() || entry.action.empty()) continue;
        out.push_back(std::move(entry));
    }
    return out;
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
        reply.audit = audit_entries(json);
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

std::string audit_target(int limit) {
    return "/api/audit?limit=" + std::to_string(std::clamp(limit, 1, 1000));
}

std::string credentials_body(const std::string& user, const std::string& password) {
    // dump() with replace: a password that is not valid UTF-8 still yields valid JSON
    // (the server then refuses it) instead of throwing across the UI loop.
    return nlohmann::json{{"user", user}, {"password", password}}.dump(-1, ' ', false,
                                                                       nlohmann::json::error_handler_t::replace);
}

}  // namespace parley::client
