#pragma once
// Typed, non-throwing access to the fields of one decoded JSON object. The first
// failure is kept; later reads return empty values, so decoders read straight through
// and check failed() once.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "parley/core/result.hpp"

namespace parley::detail {

class object_reader {
public:
    object_reader(const nlohmann::json& object, std::optional<std::string> ref)
        : object_(object), ref_(std::move(ref)) {}

    /// A string field; a present non-string fails with invalid_message.
    std::optional<std::string> optional_string(const char* key);
    std::string required_string(const char* key);

    /// A channel name: non-string is invalid_message; a name that breaks the rule or is
    /// reserved is no_such_channel.
    std::optional<std::string> optional_channel(const char* key);
    std::string required_channel(const char* key);

    /// A user name that must follow the name rule (kick, ban).
    std::string required_user_name(const char* key);

    /// Message text: the text rules, then the 4,000 code point limit (too_long).
    std::string required_text(const char* key);

    /// An integer in [min, max]; floats, strings and out-of-range values fail.
    std::optional<std::int64_t> optional_integer(const char* key, std::int64_t min, std::int64_t max);
    std::int64_t required_integer(const char* key, std::int64_t min, std::int64_t max);

    /// Any JSON number, clamped into [min, max] and truncated; non-numbers fail.
    std::optional<std::int64_t> optional_clamped(const char* key, std::int64_t min, std::int64_t max);

    std::optional<bool> optional_bool(const char* key);
    bool required_bool(const char* key);

    /// The raw field, or nullptr when absent (for arrays the caller walks itself).
    const nlohmann::json* find(const char* key) const;

    /// Records a failure (only the first one is kept).
    void fail(error_code code, std::string message);

    bool failed() const { return error_.has_value(); }
    /// The first failure; only when failed().
    protocol_error take_error() { return std::move(*error_); }

private:
    const nlohmann::json* lookup(const char* key);

    const nlohmann::json& object_;
    std::optional<std::string> ref_;
    std::optional<protocol_error> error_;
};

}  // namespace parley::detail
