#include "schema_read.hpp"

#include <algorithm>
#include <cmath>

#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"

namespace parley::detail {

using nlohmann::json;

json* field_reader::find(std::string_view key) {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
}

void field_reader::fail(error_code code, std::string message) {
    if (!error_) error_ = protocol_error{code, std::move(message), ref_};
}

void field_reader::fail_field(std::string_view key, std::string_view what) {
    if (error_) return;
    std::string message;
    message.reserve(key.size() + what.size() + 3);
    message.append("'").append(key).append("' ").append(what);
    fail(error_code::invalid_message, std::move(message));
}

std::optional<std::string> read_value(field_reader& r, std::string_view key, json& value, wire::string_kind) {
    auto* s = value.get_ptr<std::string*>();
    if (!s) {
        r.fail_field(key, "must be a string");
        return std::nullopt;
    }
    return std::move(*s);
}

std::optional<std::string> read_value(field_reader& r, std::string_view key, json& value, wire::text_kind) {
    auto text = read_value(r, key, value, wire::string);
    if (!text) return text;
    const auto code_points = count_code_points(*text);
    if (code_points && *code_points > limits::max_text_code_points) {
        r.fail(error_code::too_long, "text is longer than 4000 code points");
        return std::nullopt;
    }
    if (!is_acceptable_text(*text)) {
        r.fail(error_code::invalid_message, "text is empty or holds control characters");
        return std::nullopt;
    }
    return text;
}

std::optional<std::string> read_value(field_reader& r, std::string_view key, json& value,
                                      wire::channel_kind) {
    auto name = read_value(r, key, value, wire::string);
    if (name && !is_valid_channel_name(*name)) {
        r.fail(error_code::no_such_channel,
               "no such channel: channel names match ^[a-z0-9][a-z0-9_-]{0,31}$");
        return std::nullopt;
    }
    return name;
}

std::optional<std::string> read_value(field_reader& r, std::string_view key, json& value,
                                      wire::channel_cursor_kind) {
    auto name = read_value(r, key, value, wire::string);
    if (name && !is_valid_channel_name(*name)) {
        r.fail_field(key, "must be a channel name");
        return std::nullopt;
    }
    return name;
}

std::optional<std::string> read_value(field_reader& r, std::string_view key, json& value,
                                      wire::user_name_kind) {
    auto name = read_value(r, key, value, wire::string);
    if (name && !is_valid_user_name(*name)) {
        r.fail_field(key, "must match ^[A-Za-z0-9_.-]{1,32}$");
        return std::nullopt;
    }
    return name;
}

std::optional<std::int64_t> read_value(field_reader& r, std::string_view key, json& value,
                                       wire::integer_kind kind) {
    std::optional<std::int64_t> number;
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(kind.max)) number = static_cast<std::int64_t>(u);
    } else if (value.is_number_integer()) {
        number = value.get<std::int64_t>();
    }
    if (!number || *number < kind.min || *number > kind.max) {
        r.fail_field(
            key, "must be an integer from " + std::to_string(kind.min) + " to " + std::to_string(kind.max));
        return std::nullopt;
    }
    return number;
}

std::optional<std::int64_t> read_value(field_reader& r, std::string_view key, json& value,
                                       wire::clamped_kind kind) {
    if (!value.is_number()) {
        r.fail_field(key, "must be a number");
        return std::nullopt;
    }
    if (value.is_number_unsigned())
        return static_cast<std::int64_t>(std::clamp<std::uint64_t>(value.get<std::uint64_t>(),
                                                                   static_cast<std::uint64_t>(kind.min),
                                                                   static_cast<std::uint64_t>(kind.max)));
    if (value.is_number_integer())
        return std::clamp<std::int64_t>(value.get<std::int64_t>(), kind.min, kind.max);
    const double d = value.get<double>();
    return static_cast<std::int64_t>(
        std::clamp(std::trunc(d), static_cast<double>(kind.min), static_cast<double>(kind.max)));
}

std::optional<bool> read_value(field_reader& r, std::string_view key, json& value, wire::boolean_kind) {
    if (!value.is_boolean()) {
        r.fail_field(key, "must be true or false");
        return std::nullopt;
    }
    return value.get<bool>();
}

std::optional<error_code> read_value(field_reader& r, std::string_view key, json& value,
                                     wire::error_code_kind) {
    const auto code = read_value(r, key, value, wire::string);
    if (!code) return std::nullopt;
    return error_code_from_string(*code).value_or(error_code::server_error);
}

std::optional<std::vector<std::string>> read_value(field_reader& r, std::string_view key, json& value,
                                                   wire::string_list_kind) {
    if (!value.is_array()) {
        r.fail_field(key, "must be an array");
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (auto& item : value) {
        auto* s = item.get_ptr<std::string*>();
        if (!s) {
            r.fail_field(key, "must hold strings");
            return std::nullopt;
        }
        out.push_back(std::move(*s));
    }
    return out;
}

std::string describe_choices(const std::string_view* names, std::size_t count) {
    std::string out = "must be ";
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) out += i + 1 == count ? " or " : ", ";
        out += names[i];
    }
    return out;
}

}  // namespace parley::detail
