#pragma once
// Encoding driven by the schemas in messages.hpp: write_object adds a message's fields to
// a JSON object in schema order (ordered_json keeps it), leaving out absent optionals and
// fields at a default the schema omits.

#include <string_view>
#include <tuple>

#include <nlohmann/json.hpp>

#include "parley/core/error_code.hpp"
#include "parley/core/wire_schema.hpp"

namespace parley::detail {

using ojson = nlohmann::ordered_json;

template <class T>
void write_object(ojson& j, const T& message);

// One writer per value kind: the JSON of a member's value.
template <class V, class K>
ojson to_json(const V& value, const K&) {
    return ojson(value);
}
inline ojson to_json(error_code code, wire::error_code_kind) {
    return ojson(to_string(code));
}
template <class E, std::size_t N>
ojson to_json(E value, const wire::enumeration_kind<E, N>& kind) {
    for (const auto& name : kind.names)
        if (name.value == value) return ojson(name.text);
    return ojson(kind.names[0].text);  // unreachable: every value of E is named
}
template <class Row>
ojson to_json(const std::vector<Row>& rows, wire::rows_kind<Row>) {
    ojson out = ojson::array();
    for (const auto& row : rows) {
        ojson item = ojson::object();
        write_object(item, row);
        out.push_back(std::move(item));
    }
    return out;
}

template <class S, class M, class K>
void write_field(ojson& j, const S& message, const wire::field<S, M, K>& f) {
    const M& value = message.*f.member;
    if constexpr (wire::is_optional_v<M>) {
        if (value) j[f.name] = to_json(*value, f.kind);
    } else {
        if (f.how == wire::presence::omitted_at_default) {
            static const M default_value = S{}.*f.member;
            if (value == default_value) return;
        }
        j[f.name] = to_json(value, f.kind);
    }
}

template <class T>
void write_object(ojson& j, const T& message) {
    wire::for_each_field<T>([&](const auto& f) { write_field(j, message, f); });
}

}  // namespace parley::detail
