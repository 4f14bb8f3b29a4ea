#pragma once
// Tables the codec derives at compile time from the message variants of messages.hpp and
// each alternative's `schema`: the wire type names, the decoder per type, and the fields
// the bounded parser keeps (everything else it skips while parsing). Nothing here names a
// message or a field: a type added to a variant appears in every table.

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>

#include "bounded_json.hpp"
#include "schema_read.hpp"

namespace parley::detail {

/// The envelope: every frame's `type`, and a client request's `nonce` (read before the
/// message, so that every later failure can name it as `ref`).
inline constexpr std::string_view type_key = "type";
inline constexpr std::string_view nonce_key = "nonce";

/// The wire type names of a variant's alternatives, by alternative index.
template <class Variant>
struct message_types;

template <class... Ts>
struct message_types<std::variant<Ts...>> {
    using message = std::variant<Ts...>;

    static constexpr std::array<std::string_view, sizeof...(Ts)> names = {Ts::schema.type...};

    /// Reads alternative T; the caller checks the reader for failure.
    template <class T>
    static message read(field_reader& r) {
        return message(std::in_place_type<T>, read_object<T>(r));
    }
    struct decoder {
        std::string_view type;
        message (*read)(field_reader&);
    };
    static constexpr std::array<decoder, sizeof...(Ts)> decoders = {decoder{Ts::schema.type, &read<Ts>}...};

    static constexpr bool names_unique() {
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i].empty()) return false;
            for (std::size_t j = i + 1; j < names.size(); ++j)
                if (names[i] == names[j]) return false;
        }
        return true;
    }
    static_assert(names_unique(), "each message type of a direction needs its own non-empty wire type");
};

/// A fixed-capacity list of known fields, filled at compile time.
template <std::size_t Capacity>
struct field_table {
    std::array<known_field, Capacity> fields{};
    std::size_t size = 0;
    bool conflict = false;  ///< a name kept as a scalar by one message and as rows by another

    constexpr const known_field* find(std::string_view name) const {
        for (std::size_t i = 0; i < size; ++i)
            if (fields[i].name == name) return &fields[i];
        return nullptr;
    }
    constexpr void add(std::string_view name, field_shape shape) {
        if (const known_field* known = find(name)) {
            if (known->shape != shape) conflict = true;
            return;
        }
        fields[size++] = known_field{name, shape};
    }
    /// A row's field: the parser keeps rows one level deep, so only the name matters.
    constexpr void add_in_row(std::string_view name) {
        if (!find(name)) fields[size++] = known_field{name, field_shape::scalar};
    }
    std::span<const known_field> view() const { return {fields.data(), size}; }
};

/// The row type of a rows kind; void for every other kind.
template <class K>
struct row_of {
    using type = void;
};
template <class Row>
struct row_of<wire::rows_kind<Row>> {
    using type = Row;
};
template <class Field>
using row_of_t = typename row_of<wire::kind_of_t<Field>>::type;

/// Field names reachable from T's schema, rows included (the table's capacity).
template <class T>
constexpr std::size_t names_under() {
    std::size_t count = 0;
    wire::for_each_field<T>([&](const auto& f) {
        using row = row_of_t<decltype(f)>;
        ++count;
        if constexpr (!std::is_void_v<row>)
            count += std::tuple_size_v<std::decay_t<decltype(row::schema.fields)>>;
    });
    return count;
}

template <class T, class Table>
constexpr void add_top_level_fields(Table& table) {
    wire::for_each_field<T>([&](const auto& f) {
        table.add(f.name, wire::is_list_kind_v<wire::kind_of_t<decltype(f)>> ? field_shape::rows
                                                                             : field_shape::scalar);
    });
}

template <class T, class Table>
constexpr void add_row_fields(Table& table) {
    wire::for_each_field<T>([&](const auto& f) {
        using row = row_of_t<decltype(f)>;
        if constexpr (!std::is_void_v<row>)
            wire::for_each_field<row>([&](const auto& g) { table.add_in_row(g.name); });
    });
}

/// Whether no row holds a list (the bounded parser keeps lists only at the top level).
template <class T>
constexpr bool rows_hold_scalars() {
    bool scalars = true;
    wire::for_each_field<T>([&](const auto& f) {
        using row = row_of_t<decltype(f)>;
        if constexpr (!std::is_void_v<row>)
            wire::for_each_field<row>([&](const auto& g) {
                scalars = scalars && !wire::is_list_kind_v<wire::kind_of_t<decltype(g)>>;
            });
    });
    return scalars;
}

/// The fields the bounded parser keeps for a direction: the envelope's, then every
/// field of every alternative, then the fields of their rows.
template <class Variant, std::size_t EnvelopeSize>
struct known_fields;

template <class... Ts, std::size_t EnvelopeSize>
struct known_fields<std::variant<Ts...>, EnvelopeSize> {
    static constexpr std::size_t capacity = EnvelopeSize + (names_under<Ts>() + ... + 0);
    using table_type = field_table<capacity>;

    static constexpr table_type make(const std::array<std::string_view, EnvelopeSize>& envelope) {
        table_type messages;
        (add_top_level_fields<Ts>(messages), ...);
        table_type table;
        for (const auto name : envelope) {
            // A message field named like the envelope would be read twice.
            if (messages.find(name)) table.conflict = true;
            table.add(name, field_shape::scalar);
        }
        (add_top_level_fields<Ts>(table), ...);
        (add_row_fields<Ts>(table), ...);
        return table;
    }
    static_assert((rows_hold_scalars<Ts>() && ...), "rows may hold scalars only");
};

}  // namespace parley::detail
