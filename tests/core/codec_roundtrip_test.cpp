// Round trips generated from the schemas (schema_samples.hpp): every message type of
// both directions, every field at its edges, absent and present. A type added to a
// variant in messages.hpp is covered here without editing this file.
#include "parley/core/codec.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "schema_samples.hpp"

using parley::test::for_each_type;
using parley::test::same;
namespace wire = parley::wire;

namespace {

/// Whether a field of `message` is written: absent optionals and omitted defaults are not.
template <class S, class M, class K>
bool is_written(const S& message, const wire::field<S, M, K>& f) {
    if constexpr (wire::is_optional_v<M>)
        return (message.*f.member).has_value();
    else
        return f.how != wire::presence::omitted_at_default || !(message.*f.member == S{}.*f.member);
}

/// The keys an encoding of `message` must have, besides `type`.
template <class T>
std::set<std::string> expected_keys(const T& message) {
    std::set<std::string> keys{"type"};
    wire::for_each_field<T>([&](const auto& f) {
        if (is_written(message, f)) keys.emplace(f.name);
    });
    return keys;
}

std::set<std::string> keys_of(const std::string& wire_text) {
    const auto j = nlohmann::json::parse(wire_text, nullptr, false);
    REQUIRE(j.is_object());
    std::set<std::string> keys;
    for (const auto& item : j.items()) keys.insert(item.key());
    return keys;
}

/// `wire_text` without the field `key` (the frame must hold it).
std::string without(const std::string& wire_text, const std::string& key) {
    auto j = nlohmann::ordered_json::parse(wire_text, nullptr, false);
    REQUIRE(j.erase(key) == 1);
    return j.dump();
}

/// Removing each field from an encoding of `message`: a required one makes `decode` fail
/// with invalid_message, any other decodes as absent (nullopt or the member's default).
template <class T, class Decode, class Pick>
void check_presence(const T& message, const std::string& wire_text, Decode decode, Pick pick) {
    const auto each = [&](const auto& f) {
        if (!keys_of(wire_text).count(std::string(f.name))) return;
        CAPTURE(f.name);
        const auto decoded = decode(without(wire_text, std::string(f.name)));
        if (f.how == wire::presence::required) {
            REQUIRE_FALSE(decoded.ok());
            CHECK(decoded.error().code == parley::error_code::invalid_message);
        } else {
            REQUIRE(decoded.ok());
            const T& read = std::get<T>(pick(decoded.value()));
            CHECK(read.*f.member == T{}.*f.member);
        }
    };
    wire::for_each_field<T>(each);
    (void)message;
}

}  // namespace

TEST_CASE("every client message type survives encode then decode unchanged, as its schema says") {
    const auto nonces = parley::test::nonce_samples();
    std::size_t types = 0;
    for_each_type<parley::client_message>([&](auto tag) {
        using T = typename decltype(tag)::type;
        CAPTURE(T::schema.type);
        const auto messages = parley::test::all_samples<T>();
        REQUIRE_FALSE(messages.empty());
        for (std::size_t i = 0; i < messages.size() * nonces.size(); ++i) {
            // Every message once with each nonce would square the work; cycling covers both.
            const parley::client_frame frame{messages[i % messages.size()], nonces[i % nonces.size()]};
            if (i >= messages.size() && i % messages.size() != 0) continue;
            const std::string wire_text = parley::encode(frame);
            CAPTURE(wire_text);
            CHECK(parley::type_name(frame.message) == T::schema.type);
            const auto decoded = parley::decode_client_frame(wire_text);
            REQUIRE_MESSAGE(decoded.ok(), decoded.error().message);
            CHECK(same(decoded.value(), frame));
            // The encoding is stable: a decoded frame encodes to the same bytes.
            CHECK(parley::encode(decoded.value()) == wire_text);
            auto keys = expected_keys(std::get<T>(frame.message));
            if (frame.nonce) keys.insert("nonce");
            CHECK(keys_of(wire_text) == keys);
            check_presence(
                std::get<T>(frame.message), wire_text, parley::decode_client_frame,
                [](const parley::client_frame& f) -> const auto& { return f.message; });
        }
        ++types;
    });
    CHECK(types == std::variant_size_v<parley::client_message>);
}

TEST_CASE("every server message type survives encode then decode unchanged, as its schema says") {
    std::size_t types = 0;
    for_each_type<parley::server_message>([&](auto tag) {
        using T = typename decltype(tag)::type;
        CAPTURE(T::schema.type);
        const auto messages = parley::test::all_samples<T>();
        REQUIRE_FALSE(messages.empty());
        for (const T& sample : messages) {
            const parley::server_message message = sample;
            const std::string wire_text = parley::encode(message);
            CAPTURE(wire_text);
            CHECK(parley::type_name(message) == T::schema.type);
            const auto decoded = parley::decode_server_message(wire_text);
            REQUIRE_MESSAGE(decoded.ok(), decoded.error().message);
            CHECK(same(decoded.value(), message));
            CHECK(parley::encode(decoded.value()) == wire_text);
            CHECK(keys_of(wire_text) == expected_keys(sample));
            check_presence(
                sample, wire_text, parley::decode_server_message,
                [](const parley::server_message& m) -> const auto& { return m; });
        }
        ++types;
    });
    CHECK(types == std::variant_size_v<parley::server_message>);
}

TEST_CASE("the schema comparison notices a change in any field of any message type") {
    // Guards the helper itself: were it blind to a field, the round trips would not check it.
    std::size_t fields_checked = 0;
    const auto check_type = [&](auto tag) {
        using T = typename decltype(tag)::type;
        CAPTURE(T::schema.type);
        const T base = parley::test::all_samples<T>().front();
        const auto each = [&](const auto& f) {
            CAPTURE(f.name);
            // The first sample that differs from the base's value of this field.
            using member = std::decay_t<decltype(base.*f.member)>;
            const auto values = parley::test::member_samples(f);
            for (std::size_t i = 0; i < values.size(); ++i) {
                const member value = values[i];  // a copy: vector<bool> holds no bools to refer to
                if (parley::test::same_value(value, base.*f.member, f.kind)) continue;
                T changed = base;
                changed.*f.member = value;
                CHECK(same(base, base));
                CHECK_FALSE(same(base, changed));
                ++fields_checked;
                return;
            }
            FAIL("no sample differs from the base");
        };
        wire::for_each_field<T>(each);
    };
    for_each_type<parley::client_message>(check_type);
    for_each_type<parley::server_message>(check_type);
    CHECK(fields_checked > 50);

    using namespace parley;
    const client_frame a{typing_request{.channel = "a"}, "n"};
    client_frame b = a;
    b.nonce = std::nullopt;
    CHECK_FALSE(same(a, b));
    b = a;
    b.message = leave_request{.channel = "a"};
    CHECK_FALSE(same(a, b));
}
