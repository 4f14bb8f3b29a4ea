// Encoding of client frames and server messages as compact JSON. Keys keep the
// order written here (ordered_json), `type` first, so frames read naturally in logs.

#include <nlohmann/json.hpp>

#include "parley/core/codec.hpp"
#include "parley/core/limits.hpp"

namespace parley {
namespace {

using ojson = nlohmann::ordered_json;

template <class T>
void put_optional(ojson& j, const char* key, const std::optional<T>& value) {
    if (value) j[key] = *value;
}

std::string dump(const ojson& j) {
    // `replace` keeps dump() from throwing on invalid UTF-8; validated input never has it.
    return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

ojson typed(std::string_view type) {
    ojson j = ojson::object();
    j["type"] = type;
    return j;
}

// ------------------------------------------------------------------ client -> server

struct client_writer {
    ojson& j;
    void operator()(const identity_request& m) const { j["user"] = m.user; }
    void operator()(const post_message& m) const {
        put_optional(j, "channel", m.channel);
        j["text"] = m.text;
    }
    void operator()(const join_request& m) const {
        j["channel"] = m.channel;
        put_optional(j, "since", m.since);
    }
    void operator()(const leave_request& m) const { j["channel"] = m.channel; }
    void operator()(const channels_request& m) const {
        put_optional(j, "after", m.after);
        // The default page is left implicit, so the plain request stays {"type":"channels"},
        // which servers that do not page read the same.
        if (m.limit != limits::default_channels_limit) j["limit"] = m.limit;
    }
    void operator()(const history_request& m) const {
        put_optional(j, "channel", m.channel);
        put_optional(j, "before", m.before);
        put_optional(j, "after", m.after);
        j["limit"] = m.limit;
    }
    void operator()(const typing_request& m) const { put_optional(j, "channel", m.channel); }
    void operator()(const heartbeat_reply&) const {}
    void operator()(const edit_request& m) const {
        j["id"] = m.id;
        j["text"] = m.text;
    }
    void operator()(const delete_request& m) const { j["id"] = m.id; }
    void operator()(const kick_request& m) const {
        j["channel"] = m.channel;
        j["user"] = m.user;
    }
    void operator()(const ban_request& m) const {
        j["user"] = m.user;
        j["minutes"] = m.minutes;
    }
};

// ------------------------------------------------------------------ server -> client

void put_chat_message(ojson& j, const chat_message& m) {
    j["id"] = m.id;
    j["channel"] = m.channel;
    j["user"] = m.user;
    j["text"] = m.text;
    j["timestamp"] = m.timestamp;
    put_optional(j, "edited_at", m.edited_at);
    if (m.seq > 0) j["seq"] = m.seq;
    put_optional(j, "nonce", m.nonce);
}

struct server_writer {
    ojson& j;
    void operator()(const connection_info& m) const {
        j["id"] = m.id;
        j["session"] = m.session;
        j["server"] = m.server;
        j["heartbeat_ms"] = m.heartbeat_ms;
        put_optional(j, "user", m.user);
        put_optional(j, "role", m.role);
    }
    void operator()(const heartbeat_notice& m) const { j["authenticated"] = m.authenticated; }
    void operator()(const identity_result& m) const {
        j["success"] = m.success;
        put_optional(j, "user", m.user);
        put_optional(j, "reason", m.reason);
    }
    void operator()(const chat_message& m) const { put_chat_message(j, m); }
    void operator()(const joined_notice& m) const {
        j["channel"] = m.channel;
        j["users"] = m.users;
        put_optional(j, "online", m.online);
    }
    void operator()(const history_page& m) const {
        j["channel"] = m.channel;
        ojson messages = ojson::array();
        for (const auto& message : m.messages) {
            ojson item = ojson::object();
            put_chat_message(item, message);
            messages.push_back(std::move(item));
        }
        j["messages"] = std::move(messages);
        j["has_more"] = m.has_more;
    }
    void operator()(const channel_list& m) const {
        ojson rows = ojson::array();
        for (const auto& row : m.channels) rows.push_back(ojson{{"name", row.name}, {"online", row.online}});
        j["channels"] = std::move(rows);
        j["has_more"] = m.has_more;
    }
    void operator()(const online_notice& m) const {
        j["channel"] = m.channel;
        j["online"] = m.online;
    }
    void operator()(const presence_notice& m) const {
        j["channel"] = m.channel;
        j["user"] = m.user;
        j["state"] = m.state == presence_notice::change::joined ? "joined" : "left";
        j["online"] = m.online;
    }
    void operator()(const typing_notice& m) const {
        j["channel"] = m.channel;
        j["user"] = m.user;
    }
    void operator()(const edited_notice& m) const {
        j["id"] = m.id;
        j["channel"] = m.channel;
        j["text"] = m.text;
        j["edited_at"] = m.edited_at;
    }
    void operator()(const deleted_notice& m) const {
        j["id"] = m.id;
        j["channel"] = m.channel;
    }
    void operator()(const left_notice& m) const {
        j["channel"] = m.channel;
        put_optional(j, "reason", m.reason);
    }
    void operator()(const error_notice& m) const {
        j["code"] = to_string(m.code);
        j["message"] = m.message;
        put_optional(j, "ref", m.ref);
    }
};

struct client_type_namer {
    std::string_view operator()(const identity_request&) const { return "identity"; }
    std::string_view operator()(const post_message&) const { return "message"; }
    std::string_view operator()(const join_request&) const { return "join"; }
    std::string_view operator()(const leave_request&) const { return "leave"; }
    std::string_view operator()(const channels_request&) const { return "channels"; }
    std::string_view operator()(const history_request&) const { return "history"; }
    std::string_view operator()(const typing_request&) const { return "typing"; }
    std::string_view operator()(const heartbeat_reply&) const { return "heartbeat"; }
    std::string_view operator()(const edit_request&) const { return "edit"; }
    std::string_view operator()(const delete_request&) const { return "delete"; }
    std::string_view operator()(const kick_request&) const { return "kick"; }
    std::string_view operator()(const ban_request&) const { return "ban"; }
};

struct server_type_namer {
    std::string_view operator()(const connection_info&) const { return "connection"; }
    std::string_view operator()(const heartbeat_notice&) const { return "heartbeat"; }
    std::string_view operator()(const identity_result&) const { return "identity"; }
    std::string_view operator()(const chat_message&) const { return "message"; }
    std::string_view operator()(const joined_notice&) const { return "joined"; }
    std::string_view operator()(const history_page&) const { return "history"; }
    std::string_view operator()(const channel_list&) const { return "channels"; }
    std::string_view operator()(const presence_notice&) const { return "presence"; }
    std::string_view operator()(const typing_notice&) const { return "typing"; }
    std::string_view operator()(const edited_notice&) const { return "edited"; }
    std::string_view operator()(const deleted_notice&) const { return "deleted"; }
    std::string_view operator()(const left_notice&) const { return "left"; }
    std::string_view operator()(const error_notice&) const { return "error"; }
    std::string_view operator()(const online_notice&) const { return "online"; }
};

}  // namespace

std::string_view type_name(const client_message& message) { return std::visit(client_type_namer{}, message); }
std::string_view type_name(const server_message& message) { return std::visit(server_type_namer{}, message); }

std::string encode(const client_frame& frame) {
    ojson j = typed(type_name(frame.message));
    std::visit(client_writer{j}, frame.message);
    put_optional(j, "nonce", frame.nonce);
    return dump(j);
}

std::string encode(const server_message& message) {
    ojson j = typed(type_name(message));
    std::visit(server_writer{j}, message);
    return dump(j);
}

}  // namespace parley
