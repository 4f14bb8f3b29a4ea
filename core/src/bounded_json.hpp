#pragma once
// Parsing of one frame's JSON text under fixed bounds: nesting depth, number of values,
// and only the fields a decoder reads are kept. A hostile frame therefore costs one pass
// over its bytes and a tree of the fields it names, never a tree of everything it holds.
// Never throws (nlohmann's SAX interface, which reports errors by return value).

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "parley/core/result.hpp"

namespace parley::detail {

/// How much of a known field's value is kept.
enum class field_shape {
    scalar,  ///< a string, number or literal; an object or array is kept as an empty one
    rows,    ///< an array (top level only) of scalars or of objects holding known scalars
};

/// A field a decoder reads, at the top level or inside a row.
struct known_field {
    std::string_view name;
    field_shape shape = field_shape::scalar;
};

/// A parsed frame: the tree of its known fields and the first key it repeats.
struct bounded_document {
    nlohmann::json root;
    /// A key that appears twice in the top-level object (known or not), or a known key
    /// twice in a row; the decoder refuses the frame with it.
    std::optional<std::string> duplicate_key;
};

/// Parses `text` keeping only `fields`: unknown keys are skipped while parsing (their
/// values are checked for syntax and counted, not stored), and containers where a
/// scalar is expected are kept empty so the decoder still sees their type. Fails with
/// invalid_json on malformed JSON, nesting deeper than limits::max_json_depth, or more
/// than limits::max_json_values values. A top-level value that is not an object is
/// returned as such (a container kept empty).
result<bounded_document> parse_bounded(std::string_view text, std::span<const known_field> fields);

}  // namespace parley::detail
