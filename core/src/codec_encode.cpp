// Encoding of client frames and server messages as compact JSON: `type` first, then the
// message's fields in its schema's order (schema_write.hpp), then a client's `nonce`.
// ordered_json keeps that order, so frames read naturally in logs.

#include <nlohmann/json.hpp>

#include "parley/core/codec.hpp"
#include "schema_tables.hpp"
#include "schema_write.hpp"

namespace parley {
namespace {

using detail::ojson;

std::string dump(const ojson& j) {
    // `replace` keeps dump() from throwing on invalid UTF-8; validated input never has it.
    return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

/// The message's object: `type`, then its fields.
template <class Variant>
ojson to_object(const Variant& message) {
    ojson j = ojson::object();
    j[detail::type_key] = type_name(message);
    std::visit([&j](const auto& m) { detail::write_object(j, m); }, message);
    return j;
}

}  // namespace

std::string_view type_name(const client_message& message) {
    return detail::message_types<client_message>::names[message.index()];
}
std::string_view type_name(const server_message& message) {
    return detail::message_types<server_message>::names[message.index()];
}

std::string encode(const client_frame& frame) {
    ojson j = to_object(frame.message);
    if (frame.nonce) j[detail::nonce_key] = *frame.nonce;
    return dump(j);
}

std::string encode(const server_message& message) {
    return dump(to_object(message));
}

}  // namespace parley
