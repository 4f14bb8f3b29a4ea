#pragma once
// Test values generated from the message schemas (messages.hpp): sample values per
// field kind, every message type built from them, and equality by schema. A message type
// or field added to the schema is sampled, round-tripped and compared without editing
// this file; only a new *kind* of field needs its samples here.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "parley/core/limits.hpp"
#include "parley/core/messages.hpp"
#include "test_strings.hpp"

namespace parley::test {

// Text that exercises escaping: quotes, backslash, slash, newline, tab, non-ASCII.
inline const std::string tricky_text =
    "say \"hi\" \\ / \n\tcaf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 <b>&amp;</b> {\"type\":\"x\"}";

/// Nonces a client frame may carry: none, short, the longest.
inline std::vector<std::optional<std::string>> nonce_samples() {
    return {std::nullopt, "k1", repeat(emoji, limits::max_nonce_code_points)};
}

// ---------------------------------------------------------------- per kind: valid values, edges first

inline std::vector<std::string> samples(wire::string_kind) {
    return {"x", "", tricky_text};
}
inline std::vector<std::string> samples(wire::text_kind) {
    return {"hi", tricky_text, repeat(emoji, limits::max_text_code_points)};
}
inline std::vector<std::string> channel_names() {
    return {"general", "a", "a-b_c", repeat("c", limits::max_channel_name_bytes)};
}
inline std::vector<std::string> samples(wire::channel_kind) {
    return channel_names();
}
inline std::vector<std::string> samples(wire::channel_cursor_kind) {
    return channel_names();
}
inline std::vector<std::string> samples(wire::user_name_kind) {
    return {"ann", "Ann.Lee-2", repeat("N", limits::max_user_name_bytes)};
}
inline std::vector<std::int64_t> bounded(std::int64_t min, std::int64_t max) {
    return {min + (max - min) / 2, min, max};
}
inline std::vector<std::int64_t> samples(wire::integer_kind k) {
    return bounded(k.min, k.max);
}
inline std::vector<std::int64_t> samples(wire::clamped_kind k) {
    return bounded(k.min, k.max);
}
inline std::vector<bool> samples(wire::boolean_kind) {
    return {true, false};
}
template <class E, std::size_t N>
std::vector<E> samples(const wire::enumeration_kind<E, N>& kind) {
    std::vector<E> out;
    for (const auto& name : kind.names) out.push_back(name.value);
    return out;
}
inline std::vector<error_code> samples(wire::error_code_kind) {
    return {std::begin(all_error_codes), std::end(all_error_codes)};
}
inline std::vector<std::vector<std::string>> samples(wire::string_list_kind) {
    return {{"ann", "bob"}, {}, {"", tricky_text}};
}
template <class T>
std::vector<T> all_samples();
template <class Row>
std::vector<std::vector<Row>> samples(wire::rows_kind<Row>) {
    return {all_samples<Row>(), {}};
}

// ---------------------------------------------------------------- per field and per message

/// The values a field's member takes in the samples: absent (or at the omitted default)
/// first when the wire allows it, then every sample of its kind.
template <class S, class M, class K>
std::vector<M> member_samples(const wire::field<S, M, K>& f) {
    std::vector<M> out;
    if constexpr (wire::is_optional_v<M>)
        out.push_back(std::nullopt);
    else if (f.how == wire::presence::omitted_at_default)
        out.push_back(S{}.*f.member);
    for (auto&& value : samples(f.kind)) {
        if constexpr (wire::is_optional_v<M>)
            out.push_back(static_cast<typename M::value_type>(std::move(value)));
        else
            out.push_back(static_cast<M>(std::move(value)));
    }
    return out;
}

/// Every message of type T worth a round trip: one with each field at its first sample,
/// then that one with a single field changed, for every other sample of every field.
/// (Changing one field at a time keeps `exclusive` pairs apart.)
template <class T>
std::vector<T> all_samples() {
    T base{};
    wire::for_each_field<T>([&](const auto& f) { base.*f.member = member_samples(f).front(); });
    std::vector<T> out{base};
    const auto vary = [&](const auto& f) {
        auto values = member_samples(f);
        for (std::size_t i = 1; i < values.size(); ++i) {
            T changed = base;
            changed.*f.member = std::move(values[i]);
            out.push_back(std::move(changed));
        }
    };
    wire::for_each_field<T>(vary);
    return out;
}

// ---------------------------------------------------------------- equality by schema

template <class T>
bool same(const T& a, const T& b);

template <class M, class K>
bool same_value(const M& a, const M& b, const K&) {
    return a == b;
}
template <class Row>
bool same_value(const std::vector<Row>& a, const std::vector<Row>& b, wire::rows_kind<Row>) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

/// Every field the schema describes is equal (and the schema describes every member:
/// wire::well_formed).
template <class T>
bool same(const T& a, const T& b) {
    static_assert(wire::well_formed<T>());
    bool equal = true;
    wire::for_each_field<T>(
        [&](const auto& f) { equal = equal && same_value(a.*f.member, b.*f.member, f.kind); });
    return equal;
}

/// Same alternative and equal fields.
template <class... Ts>
bool same(const std::variant<Ts...>& a, const std::variant<Ts...>& b) {
    if (a.index() != b.index()) return false;
    return std::visit([&b](const auto& x) { return same(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

/// Same message and same nonce.
inline bool same(const client_frame& a, const client_frame& b) {
    return a.nonce == b.nonce && same(a.message, b.message);
}

/// Calls `each(type_tag)` for every alternative of a variant, e.g.
/// `for_each_type<server_message>([](auto tag) { using T = typename decltype(tag)::type; })`.
template <class T>
struct type_tag {
    using type = T;
};
template <class Variant, class Each>
void for_each_type(Each each) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (each(type_tag<std::variant_alternative_t<I, Variant>>{}), ...);
    }
    (std::make_index_sequence<std::variant_size_v<Variant>>{});
}

}  // namespace parley::test
