#pragma once
// Decoding driven by the schemas in messages.hpp: read_object<T> fills a T from one
// parsed JSON object, field by field in schema order, each value checked by its kind.
// The first failure is kept; later fields are skipped, so a caller checks failed() once.
// Never throws: values are type-checked before typed access.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "parley/core/error_code.hpp"
#include "parley/core/result.hpp"
#include "parley/core/wire_schema.hpp"

namespace parley::detail {

/// One decoded JSON object being read into a message. Strings are moved out of the
/// tree as they are read (each field is read once), so the tree must be the caller's own.
class field_reader {
public:
    /// `ref` is attached to the failure (a client request's nonce).
    field_reader(nlohmann::json& object, std::optional<std::string> ref)
        : object_(object), ref_(std::move(ref)) {}

    /// The value at `key`; nullptr when absent.
    nlohmann::json* find(std::string_view key);

    /// Records a failure (only the first one is kept).
    void fail(error_code code, std::string message);
    /// Records invalid_message "'key' <what>".
    void fail_field(std::string_view key, std::string_view what);

    bool failed() const { return error_.has_value(); }
    /// The first failure; only when failed().
    protocol_error take_error() { return std::move(*error_); }

private:
    nlohmann::json& object_;
    std::optional<std::string> ref_;
    std::optional<protocol_error> error_;
};

// One reader per value kind: the value of a present field, or nullopt after failing.
std::optional<std::string> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                      wire::string_kind);
std::optional<std::string> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                      wire::text_kind);
std::optional<std::string> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                      wire::channel_kind);
std::optional<std::string> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                      wire::channel_cursor_kind);
std::optional<std::string> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                      wire::user_name_kind);
std::optional<std::int64_t> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                       wire::integer_kind kind);
std::optional<std::int64_t> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                       wire::clamped_kind kind);
std::optional<bool> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                               wire::boolean_kind);
std::optional<error_code> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                     wire::error_code_kind);
std::optional<std::vector<std::string>> read_value(field_reader& r, std::string_view key,
                                                   nlohmann::json& value, wire::string_list_kind);

/// "must be A or B" (or "A, B or C") for an enumeration's names.
std::string describe_choices(const std::string_view* names, std::size_t count);

template <class E, std::size_t N>
std::optional<E> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                            const wire::enumeration_kind<E, N>& kind) {
    const auto text = read_value(r, key, value, wire::string);
    if (!text) return std::nullopt;
    for (const auto& name : kind.names)
        if (name.text == *text) return name.value;
    std::string_view names[N];
    for (std::size_t i = 0; i < N; ++i) names[i] = kind.names[i].text;
    r.fail_field(key, describe_choices(names, N));
    return std::nullopt;
}

template <class T>
T read_object(field_reader& r);

template <class Row>
std::optional<std::vector<Row>> read_value(field_reader& r, std::string_view key, nlohmann::json& value,
                                           wire::rows_kind<Row>) {
    if (!value.is_array()) {
        r.fail_field(key, "must be an array");
        return std::nullopt;
    }
    // No reserve: a hostile array of 10,000 empty objects fails at its first row and
    // must not cost 10,000 rows of memory first.
    std::vector<Row> out;
    for (auto& item : value) {
        if (!item.is_object()) {
            r.fail_field(key, "must hold objects");
            return std::nullopt;
        }
        field_reader inner(item, std::nullopt);
        Row row = read_object<Row>(inner);
        if (inner.failed()) {
            auto error = inner.take_error();
            r.fail(error.code, std::move(error.message));
            return std::nullopt;
        }
        out.push_back(std::move(row));
    }
    return out;
}

/// Stores a read value in its member (narrowing integers the schema bounds already fit).
template <class M, class V>
void assign(M& member, V&& value) {
    if constexpr (wire::is_optional_v<M>)
        member = static_cast<typename M::value_type>(std::forward<V>(value));
    else
        member = static_cast<M>(std::forward<V>(value));
}

template <class S, class M, class K>
void read_field(field_reader& r, S& out, const wire::field<S, M, K>& f) {
    if (r.failed()) return;
    nlohmann::json* value = r.find(f.name);
    if (!value) {
        if (f.how != wire::presence::required) return;
        // An absent list reads as a wrong type: no list is optional on the wire.
        r.fail_field(f.name, wire::is_list_kind_v<K> ? "must be an array" : "is required");
        return;
    }
    if (auto read = read_value(r, f.name, *value, f.kind)) assign(out.*f.member, std::move(*read));
}

/// A T read from `r` by T::schema; when r failed, a partly read T the caller discards.
template <class T>
T read_object(field_reader& r) {
    static_assert(wire::well_formed<T>(),
                  "T::schema must describe every member once, with bounds it can hold");
    T out{};
    wire::for_each_field<T>([&](const auto& f) { read_field(r, out, f); });
    const auto& [a, b] = T::schema.exclusive;
    if (!a.empty() && !r.failed() && r.find(a) && r.find(b))
        r.fail(error_code::invalid_message,
               "'" + std::string(a) + "' and '" + std::string(b) + "' exclude each other");
    return out;
}

}  // namespace parley::detail
