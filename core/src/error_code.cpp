#include "parley/core/error_code.hpp"

#include <array>

namespace parley {
namespace {

constexpr std::array<std::string_view, std::size(all_error_codes)> names = {
    "invalid_json",    "invalid_message", "unknown_type", "not_identified", "name_taken",
    "not_in_channel",  "no_such_channel", "forbidden",    "rate_limited",   "too_long",
    "not_found",       "server_error",
};

}  // namespace

std::string_view to_string(error_code code) { return names[static_cast<std::size_t>(code)]; }

std::optional<error_code> error_code_from_string(std::string_view text) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == text) return all_error_codes[i];
    return std::nullopt;
}

}  // namespace parley
