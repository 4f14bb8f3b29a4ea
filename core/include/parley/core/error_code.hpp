#pragma once
// The protocol's error codes (PROTOCOL.md, Errors) and what the server does with each.

#include <optional>
#include <string_view>

namespace parley {

/// An `error` frame's `code`. The order is the protocol's list.
enum class error_code {
    invalid_json,
    invalid_message,
    unknown_type,
    not_identified,
    name_taken,
    not_in_channel,
    no_such_channel,
    forbidden,
    rate_limited,
    too_long,
    not_found,
    server_error,
};

/// Every code, for tables and metrics.
inline constexpr error_code all_error_codes[] = {
    error_code::invalid_json,   error_code::invalid_message, error_code::unknown_type,
    error_code::not_identified, error_code::name_taken,      error_code::not_in_channel,
    error_code::no_such_channel, error_code::forbidden,      error_code::rate_limited,
    error_code::too_long,       error_code::not_found,       error_code::server_error,
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
