#include "parley/core/error_code.hpp"

#include <array>

namespace parley {
namespace {

constexpr std::array<std::string_view, std::size(all_error_codes)> names = {
#define PARLEY_ERROR_CODE_NAME(name) #name,
    PARLEY_ERROR_CODES(PARLEY_ERROR_CODE_NAME)
#undef PARLEY_ERROR_CODE_NAME
};

}  // namespace

std::string_view to_string(error_code code) { return names[static_cast<std::size_t>(code)]; }

std::optional<error_code> error_code_from_string(std::string_view text) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == text) return all_error_codes[i];
    return std::nullopt;
}

}  // namespace parley
