// Decoding of client and server frames: the envelope (BOM, NUL, duplicate keys, `type`,
// a client's `nonce`) here; every message's fields by its schema (schema_read.hpp).
// Never throws: nlohmann is used only through its non-throwing calls (the SAX parser,
// typed access after a type check).

#include <algorithm>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bounded_json.hpp"
#include "parley/core/codec.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "schema_read.hpp"
#include "schema_tables.hpp"

namespace parley {
namespace {

using detail::field_reader;
using detail::known_field;
using detail::nonce_key;
using detail::type_key;
using nlohmann::json;

using client_types = detail::message_types<client_message>;
using server_types = detail::message_types<server_message>;

using client_known = detail::known_fields<client_message, 2>;
using server_known = detail::known_fields<server_message, 1>;
constexpr client_known::table_type client_fields = client_known::make({type_key, nonce_key});
constexpr server_known::table_type server_fields = server_known::make({type_key});
static_assert(
    !client_fields.conflict && !server_fields.conflict,
    "a field name is kept as a scalar in one message and as rows in another, or repeats the envelope");

/// A hostile name (long, or with quotes and control characters) is not echoed back.
bool echoable(std::string_view name) {
    return name.size() <= 32 &&
           std::all_of(name.begin(), name.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '\''; });
}

/// The error text for an unknown type.
std::string describe_unknown_type(std::string_view type) {
    if (!echoable(type)) return "unknown type";
    return "unknown type '" + std::string(type) + "'";
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

/// Reads the message the `type` field names, or says why there is none; `ref` goes with
/// every failure.
template <class Types>
result<typename Types::message> read_message(json& object, const std::optional<std::string>& ref) {
    auto it = object.find(type_key);
    const std::string* type = it == object.end() ? nullptr : it->template get_ptr<const std::string*>();
    if (!type) return protocol_error{error_code::invalid_message, "frame needs a string 'type'", ref};
    for (const auto& decoder : Types::decoders) {
        if (decoder.type != *type) continue;
        field_reader reader(object, ref);
        auto message = decoder.read(reader);
        if (reader.failed()) return reader.take_error();
        return message;
    }
    return protocol_error{error_code::unknown_type, describe_unknown_type(*type), ref};
}

}  // namespace

result<client_frame> decode_client_frame(std::string_view text) {
    auto parsed = parse_object(text, client_fields.view());
    if (!parsed) return parsed.error();
    json& object = parsed.value().root;
    const auto& duplicate = parsed.value().duplicate_key;
    if (duplicate == nonce_key) return duplicate_key_error(*duplicate, std::nullopt);

    // The nonce is read first so that every later failure can name it as `ref`.
    std::optional<std::string> nonce;
    if (auto it = object.find(nonce_key); it != object.end()) {
        const auto* s = it->get_ptr<const std::string*>();
        const auto length = s ? count_code_points(*s) : std::nullopt;
        if (!length || *length == 0 || *length > limits::max_nonce_code_points)
            return protocol_error{error_code::invalid_message,
                                  "'nonce' must be a string of 1 to 64 characters", std::nullopt};
        nonce = *s;
    }
    if (duplicate) return duplicate_key_error(*duplicate, nonce);

    auto message = read_message<client_types>(object, nonce);
    if (!message) return message.error();
    return client_frame{std::move(message).value(), std::move(nonce)};
}

result<server_message> decode_server_message(std::string_view text) {
    auto parsed = parse_object(text, server_fields.view());
    if (!parsed) return parsed.error();
    if (const auto& duplicate = parsed.value().duplicate_key)
        return duplicate_key_error(*duplicate, std::nullopt);
    return read_message<server_types>(parsed.value().root, std::nullopt);
}

}  // namespace parley
