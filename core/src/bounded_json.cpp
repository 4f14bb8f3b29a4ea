#include "bounded_json.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "parley/core/limits.hpp"

namespace parley::detail {
namespace {

using nlohmann::json;

/// A SAX handler (nlohmann's interface) that builds the kept part of the tree.
/// Containers that are kept are on `open_`; everything inside a skipped value is only
/// counted (`skipped_depth_` says how many skipped containers are open).
class bounded_builder {
public:
    explicit bounded_builder(std::span<const known_field> fields) : fields_(fields) {}

    bool null() { return scalar([] { return json(nullptr); }); }
    bool boolean(bool b) { return scalar([b] { return json(b); }); }
    bool number_integer(json::number_integer_t n) { return scalar([n] { return json(n); }); }
    bool number_unsigned(json::number_unsigned_t n) { return scalar([n] { return json(n); }); }
    bool number_float(json::number_float_t n, const json::string_t&) {
        return scalar([n] { return json(n); });
    }
    bool string(json::string_t& s) { return scalar([&s] { return json(std::move(s)); }); }
    // JSON text has no binary values; the SAX interface requires the member.
    bool binary(json::binary_t&) { return fail("frame is not valid JSON"); }

    bool start_object(std::size_t) { return open(json::value_t::object); }
    bool start_array(std::size_t) { return open(json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(json::string_t& name) {
        if (skipped_depth_ > 0) return true;
        const level& top = open_.back();
        const known_field* field = find_field(name);
        if (!field) {
            if (top.kind == level_kind::root) remember_unknown_key(name);
            next_ = disposition::drop;
            return true;
        }
        const auto& members = *top.node->get_ptr<const json::object_t*>();
        if (members.find(name) != members.end()) {
            // The first value stays; the frame is refused once it is known to be JSON.
            if (!duplicate_) duplicate_ = name;
            next_ = disposition::drop;
            return true;
        }
        next_ = top.kind == level_kind::root && field->shape == field_shape::rows ? disposition::keep_rows
                                                                                   : disposition::keep;
        key_ = std::move(name);
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const json::exception&) {
        return fail("frame is not valid JSON");
    }

    /// After a successful parse: the tree and the first repeated key.
    bounded_document finish() && {
        if (!duplicate_) duplicate_ = repeated_unknown_key();
        return bounded_document{std::move(root_), std::move(duplicate_)};
    }

    const std::string& failure() const { return failure_; }

private:
    enum class level_kind { root, rows, row };
    struct level {
        json* node;
        level_kind kind;
    };
    /// What happens to the next value of the innermost open object.
    enum class disposition { keep, keep_rows, drop };

    const known_field* find_field(std::string_view name) const {
        for (const auto& field : fields_)
            if (field.name == name) return &field;
        return nullptr;
    }

    bool fail(std::string message) {
        if (failure_.empty()) failure_ = std::move(message);
        return false;
    }

    bool count_value() {
        if (++values_ > limits::max_json_values)
            return fail("frame holds more than " + std::to_string(limits::max_json_values) + " JSON values");
        return true;
    }

    /// Whether the next value is dropped, and consumes the current key's disposition.
    disposition take_disposition() {
        if (open_.empty() || open_.back().kind == level_kind::rows) return disposition::keep;
        return std::exchange(next_, disposition::drop);
    }

    /// Stores `value` where the next value goes; returns it (nullptr when dropped).
    json* place(json value, disposition how) {
        if (how == disposition::drop) return nullptr;
        if (open_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        json& parent = *open_.back().node;
        if (auto* members = parent.get_ptr<json::object_t*>())
            return &members->emplace(std::move(key_), std::move(value)).first->second;
        auto& elements = *parent.get_ptr<json::array_t*>();
        elements.push_back(std::move(value));
        return &elements.back();
    }

    template <class Make>
    bool scalar(Make make) {
        if (!count_value()) return false;
        if (skipped_depth_ > 0) return true;
        place(make(), take_disposition());
        return true;
    }

    bool open(json::value_t type) {
        if (!count_value()) return false;
        if (open_.size() + skipped_depth_ + 1 > static_cast<std::size_t>(limits::max_json_depth))
            return fail("JSON nested too deeply");
        if (skipped_depth_ > 0) {
            ++skipped_depth_;
            return true;
        }
        const disposition how = take_disposition();
        json* node = place(json(type), how);
        // Which containers are kept whole: the top-level object, a rows field's array,
        // and the objects in it. Any other container stays as placed (empty): its type is
        // all a decoder needs to refuse it.
        std::optional<level_kind> kind;
        const bool is_object = type == json::value_t::object;
        if (open_.empty()) {
            if (is_object) kind = level_kind::root;
        } else if (open_.back().kind == level_kind::rows) {
            if (is_object) kind = level_kind::row;
        } else if (how == disposition::keep_rows && !is_object) {
            kind = level_kind::rows;
        }
        if (node && kind) open_.push_back(level{node, *kind});
        else ++skipped_depth_;
        return true;
    }

    bool close() {
        if (skipped_depth_ > 0) --skipped_depth_;
        else open_.pop_back();
        next_ = disposition::drop;
        return true;
    }

    void remember_unknown_key(const std::string& name) {
        unknown_spans_.emplace_back(static_cast<std::uint32_t>(unknown_keys_.size()),
                                    static_cast<std::uint32_t>(name.size()));
        unknown_keys_ += name;
    }

    /// An unknown top-level key given twice, found by sorting (the keys are kept in one
    /// buffer, so a frame of many keys costs its own size again, not a node per key).
    std::optional<std::string> repeated_unknown_key() {
        const auto view = [this](const std::pair<std::uint32_t, std::uint32_t>& span) {
            return std::string_view(unknown_keys_).substr(span.first, span.second);
        };
        std::sort(unknown_spans_.begin(), unknown_spans_.end(),
                  [&](const auto& a, const auto& b) { return view(a) < view(b); });
        const auto it = std::adjacent_find(unknown_spans_.begin(), unknown_spans_.end(),
                                           [&](const auto& a, const auto& b) { return view(a) == view(b); });
        if (it == unknown_spans_.end()) return std::nullopt;
        return std::string(view(*it));
    }

    std::span<const known_field> fields_;
    json root_;
    std::vector<level> open_;
    std::size_t skipped_depth_ = 0;
    std::size_t values_ = 0;
    disposition next_ = disposition::drop;
    std::string key_;
    std::optional<std::string> duplicate_;
    std::string unknown_keys_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> unknown_spans_;
    std::string failure_;
};

}  // namespace

result<bounded_document> parse_bounded(std::string_view text, std::span<const known_field> fields) {
    bounded_builder builder(fields);
    const bool parsed = json::sax_parse(text.begin(), text.end(), &builder);
    if (!parsed) {
        std::string message = builder.failure().empty() ? "frame is not valid JSON" : builder.failure();
        return protocol_error{error_code::invalid_json, std::move(message), std::nullopt};
    }
    return std::move(builder).finish();
}

}  // namespace parley::detail
