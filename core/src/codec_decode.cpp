// Decoding of client and server frames. Never throws: nlohmann is used only through
// its non-throwing calls (the SAX parser, typed access after a type check).

#include <algorithm>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bounded_json.hpp"
#include "object_reader.hpp"
#include "parley/core/codec.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"

namespace parley {
namespace {

using nlohmann::json;
using detail::field_shape;
using detail::known_field;
using detail::object_reader;

constexpr std::int64_t max_id = limits::max_message_id;

// ------------------------------------------------------------------ client frames

client_message read_identity(object_reader& r) { return identity_request{r.required_string("user")}; }

client_message read_post(object_reader& r) {
    post_message m;
    m.channel = r.optional_channel("channel");
    m.text = r.required_text("text");
    return m;
}

client_message read_join(object_reader& r) {
    join_request m;
    m.channel = r.required_channel("channel");
    m.since = r.optional_integer("since", 0, max_id);
    return m;
}

client_message read_leave(object_reader& r) { return leave_request{r.required_channel("channel")}; }

client_message read_channels(object_reader& r) {
    channels_request m;
    if (auto after = r.optional_string("after")) {
        if (is_valid_channel_name(*after)) m.after = std::move(*after);
        else r.fail(error_code::invalid_message, "'after' must be a channel name");
    }
    m.limit = static_cast<int>(
        r.optional_clamped("limit", 1, limits::max_channels_limit).value_or(limits::default_channels_limit));
    return m;
}

client_message read_history(object_reader& r) {
    history_request m;
    m.channel = r.optional_channel("channel");
    m.before = r.optional_integer("before", 1, max_id);
    m.after = r.optional_integer("after", 0, max_id);
    m.limit = static_cast<int>(
        r.optional_clamped("limit", 1, limits::max_history_limit).value_or(limits::default_history_limit));
    if (m.before && m.after) r.fail(error_code::invalid_message, "'before' and 'after' exclude each other");
    return m;
}

client_message read_typing(object_reader& r) { return typing_request{r.optional_channel("channel")}; }

client_message read_heartbeat(object_reader&) { return heartbeat_reply{}; }

client_message read_edit(object_reader& r) {
    edit_request m;
    m.id = r.required_integer("id", 1, max_id);
    m.text = r.required_text("text");
    return m;
}

client_message read_delete(object_reader& r) { return delete_request{r.required_integer("id", 1, max_id)}; }

client_message read_kick(object_reader& r) {
    kick_request m;
    m.channel = r.required_channel("channel");
    m.user = r.required_user_name("user");
    return m;
}

client_message read_ban(object_reader& r) {
    ban_request m;
    m.user = r.required_user_name("user");
    m.minutes = r.required_integer("minutes", 1, limits::max_ban_minutes);
    return m;
}

struct client_decoder {
    std::string_view type;
    client_message (*read)(object_reader&);
};

constexpr client_decoder client_decoders[] = {
    {"identity", read_identity}, {"message", read_post},   {"join", read_join},
    {"leave", read_leave},       {"channels", read_channels}, {"history", read_history},
    {"typing", read_typing},     {"heartbeat", read_heartbeat}, {"edit", read_edit},
    {"delete", read_delete},     {"kick", read_kick},       {"ban", read_ban},
};

/// Every field some client decoder above reads; the parser skips all others. A field
/// read but missing here would always look absent (the round-trip tests would fail).
constexpr known_field client_fields[] = {
    {"type"}, {"nonce"}, {"user"},  {"channel"}, {"text"},    {"since"},
    {"before"}, {"after"}, {"limit"}, {"id"},     {"minutes"},
};

/// A hostile name (long, or with quotes and control characters) is not echoed back.
bool echoable(std::string_view name) {
    return name.size() <= 32 &&
           std::all_of(name.begin(), name.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '\''; });
}

/// The error text for an unknown type.
std::string describe_unknown_type(const std::string& type) {
    if (!echoable(type)) return "unknown type";
    return "unknown type '" + type + "'";
}

/// The error for a key given twice (RFC 8259 leaves the meaning open; Parley refuses it).
protocol_error duplicate_key_error(const std::string& key, std::optional<std::string> ref) {
    return protocol_error{error_code::invalid_message,
                          echoable(key) ? "duplicate key '" + key + "'" : std::string("duplicate key"),
                          std::move(ref)};
}

/// Parses `text` into an object holding the known `fields`, or says why it is not one.
result<detail::bounded_document> parse_object(std::string_view text, std::span<const known_field> fields) {
    // nlohmann reads a raw NUL as end of input, so `{...}\0junk` would parse; JSON has no raw NUL.
    if (text.find('\0') != std::string_view::npos)
        return protocol_error{error_code::invalid_json, "frame is not valid JSON", std::nullopt};
    // RFC 8259 8.1: senders must not add a byte order mark. nlohmann would skip one.
    if (text.starts_with("\xEF\xBB\xBF"))
        return protocol_error{error_code::invalid_json, "frame starts with a byte order mark", std::nullopt};
    auto parsed = detail::parse_bounded(text, fields);
    if (!parsed) return parsed.error();
    if (!parsed.value().root.is_object())
        return protocol_error{error_code::invalid_message, "frame must be a JSON object", std::nullopt};
    return parsed;
}

/// The `type` field, or the error for its absence.
result<std::string> read_type(const json& object, const std::optional<std::string>& ref) {
    auto it = object.find("type");
    if (it == object.end() || !it->is_string())
        return protocol_error{error_code::invalid_message, "frame needs a string 'type'", ref};
    return it->get_ref<const std::string&>();
}

// ------------------------------------------------------------------ server messages

chat_message read_chat_message(object_reader& r) {
    chat_message m;
    m.id = r.required_integer("id", 1, max_id);
    m.channel = r.required_string("channel");
    m.user = r.required_string("user");
    m.text = r.required_string("text");
    m.timestamp = r.required_integer("timestamp", 0, INT64_MAX);
    m.nonce = r.optional_string("nonce");
    m.edited_at = r.optional_integer("edited_at", 0, INT64_MAX);
    m.seq = r.optional_integer("seq", 1, INT64_MAX).value_or(0);
    return m;
}

server_message read_connection(object_reader& r) {
    connection_info m;
    m.id = r.required_string("id");
    m.session = r.required_string("session");
    m.server = r.required_string("server");
    m.heartbeat_ms = static_cast<int>(r.required_integer("heartbeat_ms", 1, INT32_MAX));
    m.user = r.optional_string("user");
    m.role = r.optional_string("role");
    return m;
}

server_message read_heartbeat_notice(object_reader& r) {
    return heartbeat_notice{r.optional_bool("authenticated").value_or(false)};
}

server_message read_identity_result(object_reader& r) {
    identity_result m;
    m.success = r.required_bool("success");
    m.user = r.optional_string("user");
    m.reason = r.optional_string("reason");
    return m;
}

server_message read_message(object_reader& r) { return read_chat_message(r); }

/// Reads an array of strings at `key`.
std::vector<std::string> read_string_array(object_reader& r, const char* key) {
    std::vector<std::string> out;
    const json* array = r.failed() ? nullptr : r.find(key);
    if (!array || !array->is_array()) {
        r.fail(error_code::invalid_message, std::string("'") + key + "' must be an array");
        return out;
    }
    for (const auto& item : *array) {
        if (!item.is_string()) {
            r.fail(error_code::invalid_message, std::string("'") + key + "' must hold strings");
            return out;
        }
        out.push_back(item.get_ref<const std::string&>());
    }
    return out;
}

/// Calls `each` with a reader for every object in the array at `key`.
template <class Each>
void read_object_array(object_reader& r, const char* key, Each each) {
    const json* array = r.failed() ? nullptr : r.find(key);
    if (!array || !array->is_array()) {
        r.fail(error_code::invalid_message, std::string("'") + key + "' must be an array");
        return;
    }
    for (const auto& item : *array) {
        if (!item.is_object()) {
            r.fail(error_code::invalid_message, std::string("'") + key + "' must hold objects");
            return;
        }
        object_reader inner(item, std::nullopt);
        each(inner);
        if (inner.failed()) {
            auto e = inner.take_error();
            r.fail(e.code, std::move(e.message));
            return;
        }
    }
}

server_message read_joined(object_reader& r) {
    joined_notice m;
    m.channel = r.required_string("channel");
    m.users = read_string_array(r, "users");
    if (auto online = r.optional_integer("online", 0, INT32_MAX)) m.online = static_cast<int>(*online);
    return m;
}

server_message read_history_page(object_reader& r) {
    history_page m;
    m.channel = r.required_string("channel");
    read_object_array(r, "messages", [&](object_reader& item) { m.messages.push_back(read_chat_message(item)); });
    m.has_more = r.required_bool("has_more");
    return m;
}

server_message read_channel_list(object_reader& r) {
    channel_list m;
    read_object_array(r, "channels", [&](object_reader& item) {
        channel_summary row;
        row.name = item.required_string("name");
        row.online = static_cast<int>(item.required_integer("online", 0, INT32_MAX));
        m.channels.push_back(std::move(row));
    });
    m.has_more = r.optional_bool("has_more").value_or(false);
    return m;
}

server_message read_presence(object_reader& r) {
    presence_notice m;
    m.channel = r.required_string("channel");
    m.user = r.required_string("user");
    const std::string state = r.required_string("state");
    if (state == "joined") m.state = presence_notice::change::joined;
    else if (state == "left") m.state = presence_notice::change::left;
    else r.fail(error_code::invalid_message, "'state' must be joined or left");
    m.online = static_cast<int>(r.required_integer("online", 0, INT32_MAX));
    return m;
}

server_message read_online(object_reader& r) {
    online_notice m;
    m.channel = r.required_string("channel");
    m.online = static_cast<int>(r.required_integer("online", 0, INT32_MAX));
    return m;
}

server_message read_typing_notice(object_reader& r) {
    typing_notice m;
    m.channel = r.required_string("channel");
    m.user = r.required_string("user");
    return m;
}

server_message read_edited(object_reader& r) {
    edited_notice m;
    m.id = r.required_integer("id", 1, max_id);
    m.channel = r.required_string("channel");
    m.text = r.required_string("text");
    m.edited_at = r.required_integer("edited_at", 0, INT64_MAX);
    return m;
}

server_message read_deleted(object_reader& r) {
    deleted_notice m;
    m.id = r.required_integer("id", 1, max_id);
    m.channel = r.required_string("channel");
    return m;
}

server_message read_left(object_reader& r) {
    left_notice m;
    m.channel = r.required_string("channel");
    m.reason = r.optional_string("reason");
    return m;
}

server_message read_error(object_reader& r) {
    error_notice m;
    const std::string code = r.required_string("code");
    // A code this client does not know yet still reads as an error (server_error).
    m.code = error_code_from_string(code).value_or(error_code::server_error);
    m.message = r.optional_string("message").value_or(std::string());
    m.ref = r.optional_string("ref");
    return m;
}

struct server_decoder {
    std::string_view type;
    server_message (*read)(object_reader&);
};

constexpr server_decoder server_decoders[] = {
    {"connection", read_connection}, {"heartbeat", read_heartbeat_notice}, {"identity", read_identity_result},
    {"message", read_message},       {"joined", read_joined},              {"history", read_history_page},
    {"channels", read_channel_list}, {"presence", read_presence},          {"typing", read_typing_notice},
    {"edited", read_edited},         {"deleted", read_deleted},            {"left", read_left},
    {"error", read_error},           {"online", read_online},
};

/// Every field some server decoder above reads, rows included; the parser skips all others.
constexpr known_field server_fields[] = {
    {"type"},      {"id"},        {"session"},   {"server"},    {"heartbeat_ms"}, {"user"},
    {"role"},      {"authenticated"}, {"success"}, {"reason"},  {"channel"},      {"text"},
    {"timestamp"}, {"nonce"},     {"edited_at"}, {"online"},    {"state"},        {"code"},
    {"message"},   {"ref"},       {"name"},      {"has_more"},      {"seq"},
    {"users", field_shape::rows}, {"messages", field_shape::rows}, {"channels", field_shape::rows},
};

}  // namespace

result<client_frame> decode_client_frame(std::string_view text) {
    auto parsed = parse_object(text, client_fields);
    if (!parsed) return parsed.error();
    const json& object = parsed.value().root;
    const auto& duplicate = parsed.value().duplicate_key;
    if (duplicate == "nonce") return duplicate_key_error(*duplicate, std::nullopt);

    // The nonce is read first so that every later failure can name it as `ref`.
    std::optional<std::string> nonce;
    if (auto it = object.find("nonce"); it != object.end()) {
        const auto* s = it->get_ptr<const std::string*>();
        const auto length = s ? count_code_points(*s) : std::nullopt;
        if (!length || *length == 0 || *length > limits::max_nonce_code_points)
            return protocol_error{error_code::invalid_message, "'nonce' must be a string of 1 to 64 characters",
                                  std::nullopt};
        nonce = *s;
    }
    if (duplicate) return duplicate_key_error(*duplicate, nonce);

    auto type = read_type(object, nonce);
    if (!type) return type.error();
    for (const auto& decoder : client_decoders) {
        if (decoder.type != type.value()) continue;
        object_reader reader(object, nonce);
        client_message message = decoder.read(reader);
        if (reader.failed()) return reader.take_error();
        return client_frame{std::move(message), std::move(nonce)};
    }
    return protocol_error{error_code::unknown_type, describe_unknown_type(type.value()), nonce};
}

result<server_message> decode_server_message(std::string_view text) {
    auto parsed = parse_object(text, server_fields);
    if (!parsed) return parsed.error();
    if (const auto& duplicate = parsed.value().duplicate_key) return duplicate_key_error(*duplicate, std::nullopt);
    const json& object = parsed.value().root;
    auto type = read_type(object, std::nullopt);
    if (!type) return type.error();
    for (const auto& decoder : server_decoders) {
        if (decoder.type != type.value()) continue;
        object_reader reader(object, std::nullopt);
        server_message message = decoder.read(reader);
        if (reader.failed()) return reader.take_error();
        return message;
    }
    return protocol_error{error_code::unknown_type, describe_unknown_type(type.value()), std::nullopt};
}

}  // namespace parley
