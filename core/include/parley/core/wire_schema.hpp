#pragma once
// The vocabulary in which messages.hpp describes each message once: its wire `type` and,
// per field, the wire name, the member it fills, whether it must be present and what
// shape and bounds its value has. The codec (core/src/schema_read.hpp, schema_write.hpp,
// schema_tables.hpp) reads these descriptions to decode, encode, name types and build the
// bounded parser's known-field tables; tests/core walks them for the round trips.
// Plain constexpr data: no JSON, no I/O (docs/architecture/core.md).

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace parley::wire {

// ---------------------------------------------------------------- value kinds
// What a field's JSON value must be, and the C++ value it becomes. The error texts are
// the codec's (core/src/schema_read.cpp).

/// Any JSON string.
struct string_kind {};
/// Message text: the text rules, then at most limits::max_text_code_points (too_long).
struct text_kind {};
/// A channel to act on: a bad name is `no_such_channel`.
struct channel_kind {};
/// A channel name naming a place in a sorted list (`channels` `after`): a bad one is
/// invalid_message, since no channel is acted on.
struct channel_cursor_kind {};
/// A user name that must follow the name rule (kick, ban).
struct user_name_kind {};
/// An integer in [min, max]; floats, strings and out-of-range values fail.
struct integer_kind {
    std::int64_t min;
    std::int64_t max;
};
/// Any JSON number, clamped into [min, max] and truncated (page sizes).
struct clamped_kind {
    std::int64_t min;
    std::int64_t max;
};
/// true or false.
struct boolean_kind {};
/// One wire spelling of an enumeration's value.
template <class E>
struct name {
    std::string_view text;
    E value;
};
/// A string that is one of `names`; any other is invalid_message.
template <class E, std::size_t N>
struct enumeration_kind {
    std::array<name<E>, N> names;
};
/// An error code's spelling; one this side does not know reads as server_error, so that
/// a newer server's code still reads as an error.
struct error_code_kind {};
/// An array of strings (kept whole by the bounded parser).
struct string_list_kind {};
/// An array of objects, each described by `Row::schema` (kept whole by the bounded
/// parser; rows hold scalars only).
template <class Row>
struct rows_kind {};

/// Whether a kind is an array (kept whole by the bounded parser, where other containers
/// are kept empty).
template <class K>
inline constexpr bool is_list_kind_v = std::is_same_v<K, string_list_kind>;
template <class Row>
inline constexpr bool is_list_kind_v<rows_kind<Row>> = true;

inline constexpr string_kind string{};
inline constexpr text_kind text{};
inline constexpr channel_kind channel{};
inline constexpr channel_cursor_kind channel_cursor{};
inline constexpr user_name_kind user_name{};
inline constexpr boolean_kind boolean{};
inline constexpr error_code_kind error_code_name{};
inline constexpr string_list_kind string_list{};
template <class Row>
inline constexpr rows_kind<Row> rows{};

constexpr integer_kind integer(std::int64_t min, std::int64_t max) {
    return {min, max};
}
constexpr clamped_kind clamped(std::int64_t min, std::int64_t max) {
    return {min, max};
}
/// The largest `int`, for counts and periods kept in an int.
inline constexpr std::int64_t int_max = std::numeric_limits<int>::max();

template <class E, class... More>
constexpr enumeration_kind<E, 1 + sizeof...(More)> one_of(name<E> first, More... more) {
    return {{first, more...}};
}

// ---------------------------------------------------------------- fields

/// Whether a field must be on the wire, and when it is written.
enum class presence {
    required,           ///< decoding fails without it; always written
    optional,           ///< the member is a std::optional: absent on the wire <-> nullopt
    defaulted,          ///< absent reads as the member's default; always written
    omitted_at_default  ///< absent reads as the member's default; written only when it differs
};

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

/// One field: wire name, the member it fills, presence, value kind.
template <class Struct, class Member, class Kind>
struct field {
    using struct_type = Struct;
    using member_type = Member;
    using kind_type = Kind;
    std::string_view name;
    Member Struct::*member;
    presence how;
    Kind kind;
};

template <class S, class M, class K>
constexpr field<S, M, K> required(std::string_view name, M S::*member, K kind) {
    static_assert(!is_optional_v<M>, "a required field fills a plain member");
    return {name, member, presence::required, kind};
}
template <class S, class M, class K>
constexpr field<S, M, K> optional(std::string_view name, M S::*member, K kind) {
    static_assert(is_optional_v<M>, "an optional field fills a std::optional member");
    return {name, member, presence::optional, kind};
}
template <class S, class M, class K>
constexpr field<S, M, K> defaulted(std::string_view name, M S::*member, K kind) {
    static_assert(!is_optional_v<M>, "a defaulted field fills a plain member");
    return {name, member, presence::defaulted, kind};
}
template <class S, class M, class K>
constexpr field<S, M, K> omitted_at_default(std::string_view name, M S::*member, K kind) {
    static_assert(!is_optional_v<M>, "an omitted-at-default field fills a plain member");
    return {name, member, presence::omitted_at_default, kind};
}

// ---------------------------------------------------------------- messages and rows

/// A message (with a wire `type`) or a row inside one (without). `exclusive` names two
/// optional fields of which at most one may be given ("'a' and 'b' exclude each other").
template <class... Fields>
struct object_schema {
    std::string_view type;
    std::tuple<Fields...> fields;
    std::array<std::string_view, 2> exclusive{};

    /// The same schema, refusing frames that give both `a` and `b`.
    constexpr object_schema excluding(std::string_view a, std::string_view b) const {
        return object_schema{type, fields, {a, b}};
    }
};

/// A message type: its wire `type` and its fields, in the order they are encoded.
template <class... Fields>
constexpr object_schema<Fields...> message(std::string_view type, Fields... fields) {
    return {type, {fields...}, {}};
}
/// An object inside an array of a message (a history row, a channel row).
template <class... Fields>
constexpr object_schema<Fields...> row(Fields... fields) {
    return {{}, {fields...}, {}};
}

/// Calls `each(field)` for every field of `T::schema`, in order.
template <class T, class Each>
constexpr void for_each_field(Each&& each) {
    std::apply([&](const auto&... fields) { (each(fields), ...); }, T::schema.fields);
}

/// The value kind of a field, e.g. `kind_of_t<decltype(f)>`.
template <class Field>
using kind_of_t = typename std::decay_t<Field>::kind_type;

// ---------------------------------------------------------------- checks

namespace detail {
/// Converts to anything: counts an aggregate's members by brace-initialising it.
struct any_member {
    template <class T>
    operator T() const;
};
template <class T, class... Members>
constexpr std::size_t member_count() {
    if constexpr (requires { T{Members{}..., any_member{}}; })
        return member_count<T, Members..., any_member>();
    else
        return sizeof...(Members);
}
template <class M>
struct value_of {
    using type = M;
};
template <class M>
struct value_of<std::optional<M>> {
    using type = M;
};
/// Whether an integer kind's bounds fit the member it fills.
template <class M, class K>
constexpr bool bounds_fit(const K& kind) {
    if constexpr (std::is_same_v<K, integer_kind> || std::is_same_v<K, clamped_kind>) {
        using value = typename value_of<M>::type;
        return kind.min >= static_cast<std::int64_t>(std::numeric_limits<value>::min()) &&
               kind.max <= static_cast<std::int64_t>(std::numeric_limits<value>::max()) &&
               kind.min <= kind.max;
    } else {
        return true;
    }
}
}  // namespace detail

/// Whether `T::schema` is sound: it describes every member of T (a member added without
/// a wire field would silently never travel), each under its own name, with integer bounds
/// its member can hold, and an exclusive pair names two of its fields. The codec static_asserts it for every
/// type it reads.
template <class T>
consteval bool well_formed() {
    constexpr std::size_t count = std::tuple_size_v<std::decay_t<decltype(T::schema.fields)>>;
    if (count != detail::member_count<T>()) return false;
    std::array<std::string_view, count> names{};
    bool bounds = true;
    std::size_t i = 0;
    for_each_field<T>([&](const auto& f) {
        names[i++] = f.name;
        bounds = bounds && detail::bounds_fit<typename std::decay_t<decltype(f)>::member_type>(f.kind);
    });
    for (std::size_t a = 0; a < count; ++a)
        for (std::size_t b = a + 1; b < count; ++b)
            if (names[a] == names[b]) return false;
    // An exclusive pair names two of the fields.
    constexpr std::array<std::string_view, 2> exclusive = T::schema.exclusive;
    for (const std::string_view excluded : exclusive) {
        if (excluded.empty()) continue;
        bool found = false;
        for (const std::string_view name : names) found = found || name == excluded;
        if (!found) return false;
    }
    return bounds;
}

}  // namespace parley::wire
