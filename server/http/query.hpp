#pragma once
// Query strings taken apart by parameter: "a=1&b=x%20y" is two pairs, each percent-decoded.
// A name is matched whole, never as a substring ("nolimit=5" is not "limit"). Pure functions
// over bytes; safe on any input.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::server {

/// One parameter of a query, name and value percent-decoded.
struct query_param {
    std::string name;
    std::string value;
};

/// The query of a request target: what follows the first '?', up to a '#'; empty when none,
/// or when a '#' comes before any '?' (the rest is a fragment, as target_path reads it).
std::string_view target_query(std::string_view target);

/// The parameters of `query` ("a=1&b=2"), in order. Split on '&', then on the first '=';
/// a pair without '=' has an empty value; empty pairs ("a=1&&b") are skipped. '+' stays '+'
/// (RFC 3986 queries, not HTML form encoding). nullopt when a '%' is not followed by two hex
/// digits: a malformed query, the caller's 400.
std::optional<std::vector<query_param>> parse_query(std::string_view query);

/// How often `name` occurs in `params` and the first occurrence's value (empty when absent).
/// A name given twice is ambiguous; callers refuse it rather than pick one.
struct query_lookup {
    std::size_t count = 0;
    std::string_view value;
};
query_lookup find_param(const std::vector<query_param>& params, std::string_view name);

/// `text` as a canonical non-negative decimal integer no larger than `max`: ASCII digits
/// only, no sign, no leading zero except "0" itself, no spaces. nullopt otherwise
/// ("-0", "+1", "007", "1e3", "", " 1", a value over `max`).
std::optional<std::int64_t> parse_canonical_decimal(std::string_view text, std::int64_t max);

}  // namespace parley::server
