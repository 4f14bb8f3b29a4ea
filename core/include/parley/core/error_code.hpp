#pragma once
// The protocol's error codes (PROTOCOL.md, Errors) and what the server does with each.

#include <optional>
#include <string_view>

namespace parley {

/// Every error code, once, in the protocol's order: X(name) per code. The enum, the list
/// below and the wire spellings (error_code.cpp) are generated from it.
#define PARLEY_ERROR_CODES(X)                                                                    \
    X(invalid_json) X(invalid_message) X(unknown_type) X(not_identified) X(name_taken)            \
    X(not_in_channel) X(no_such_channel) X(forbidden) X(rate_limited) X(too_long) X(not_found)   \
    X(server_error)

/// An `error` frame's `code`. The order is the protocol's list.
enum class error_code {
#define PARLEY_ERROR_CODE_ENUMERATOR(name) name,
    PARLEY_ERROR_CODES(PARLEY_ERROR_CODE_ENUMERATOR)
#undef PARLEY_ERROR_CODE_ENUMERATOR
};

/// Every code, for tables and metrics.
inline constexpr error_code all_error_codes[] = {
#define PARLEY_ERROR_CODE_VALUE(name) error_code::name,
    PARLEY_ERROR_CODES(PARLEY_ERROR_CODE_VALUE)
#undef PARLEY_ERROR_CODE_VALUE
};

/// The wire spelling of a code, e.g. "rate_limited".
std::string_view to_string(error_code code);
/// The code for a wire spelling; nullopt for one the protocol does not define.
std::optional<error_code> error_code_from_string(std::string_view text);

/// Whether the code marks a malformed frame, which counts toward the 1008 budget
/// (PROTOCOL.md, Details: Protocol errors). Refusals never do.
constexpr bool counts_toward_error_budget(error_code code) {
    return code == error_code::invalid_json || code == error_code::invalid_message ||
           code == error_code::unknown_type;
}

}  // namespace parley
