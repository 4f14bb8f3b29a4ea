#include "object_reader.hpp"

#include <algorithm>
#include <cmath>

#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"

namespace parley::detail {

const nlohmann::json* object_reader::find(const char* key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
}

const nlohmann::json* object_reader::lookup(const char* key) { return failed() ? nullptr : find(key); }

void object_reader::fail(error_code code, std::string message) {
    if (!error_) error_ = protocol_error{code, std::move(message), ref_};
}

std::optional<std::string> object_reader::optional_string(const char* key) {
    const auto* value = lookup(key);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
        fail(error_code::invalid_message, std::string("'") + key + "' must be a string");
        return std::nullopt;
    }
    return value->get_ref<const std::string&>();
}

std::string object_reader::required_string(const char* key) {
    if (!failed() && !find(key)) fail(error_code::invalid_message, std::string("'") + key + "' is required");
    return optional_string(key).value_or(std::string());
}

std::optional<std::string> object_reader::optional_channel(const char* key) {
    auto name = optional_string(key);
    if (name && !is_valid_channel_name(*name)) {
        fail(error_code::no_such_channel, "no such channel: channel names match ^[a-z0-9][a-z0-9_-]{0,31}$");
        return std::nullopt;
    }
    return name;
}

std::string object_reader::required_channel(const char* key) {
    if (!failed() && !find(key)) fail(error_code::invalid_message, std::string("'") + key + "' is required");
    return optional_channel(key).value_or(std::string());
}

std::string object_reader::required_user_name(const char* key) {
    std::string name = required_string(key);
    if (!failed() && !is_valid_user_name(name))
        fail(error_code::invalid_message, std::string("'") + key + "' must match ^[A-Za-z0-9_.-]{1,32}$");
    return name;
}

std::string object_reader::required_text(const char* key) {
    std::string text = required_string(key);
    if (failed()) return text;
    const auto code_points = count_code_points(text);
    if (code_points && *code_points > limits::max_text_code_points) {
        fail(error_code::too_long, "text is longer than 4000 code points");
    } else if (!is_acceptable_text(text)) {
        fail(error_code::invalid_message, "text is empty or holds control characters");
    }
    return text;
}

std::optional<std::int64_t> object_reader::optional_integer(const char* key, std::int64_t min,
                                                            std::int64_t max) {
    const auto* value = lookup(key);
    if (!value) return std::nullopt;
    std::optional<std::int64_t> number;
    if (value->is_number_unsigned()) {
        const auto u = value->get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(max)) number = static_cast<std::int64_t>(u);
    } else if (value->is_number_integer()) {
        number = value->get<std::int64_t>();
    }
    if (!number || *number < min || *number > max) {
        fail(error_code::invalid_message, std::string("'") + key + "' must be an integer from " +
                                              std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }
    return number;
}

std::int64_t object_reader::required_integer(const char* key, std::int64_t min, std::int64_t max) {
    if (!failed() && !find(key)) fail(error_code::invalid_message, std::string("'") + key + "' is required");
    return optional_integer(key, min, max).value_or(0);
}

std::optional<std::int64_t> object_reader::optional_clamped(const char* key, std::int64_t min,
                                                            std::int64_t max) {
    const auto* value = lookup(key);
    if (!value) return std::nullopt;
    if (!value->is_number()) {
        fail(error_code::invalid_message, std::string("'") + key + "' must be a number");
        return std::nullopt;
    }
    if (value->is_number_unsigned())
        return static_cast<std::int64_t>(std::clamp<std::uint64_t>(value->get<std::uint64_t>(), static_cast<std::uint64_t>(min), static_cast<std::uint64_t>(max)));
    if (value->is_number_integer()) return std::clamp<std::int64_t>(value->get<std::int64_t>(), min, max);
    const double d = value->get<double>();
    return static_cast<std::int64_t>(std::clamp(std::trunc(d), static_cast<double>(min), static_cast<double>(max)));
}

std::optional<bool> object_reader::optional_bool(const char* key) {
    const auto* value = lookup(key);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) {
        fail(error_code::invalid_message, std::string("'") + key + "' must be true or false");
        return std::nullopt;
    }
    return value->get<bool>();
}

bool object_reader::required_bool(const char* key) {
    if (!failed() && !find(key)) fail(error_code::invalid_message, std::string("'") + key + "' is required");
    return optional_bool(key).value_or(false);
}

}  // namespace parley::detail
