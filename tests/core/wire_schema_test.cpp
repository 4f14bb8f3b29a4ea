#include "parley/core/wire_schema.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "parley/core/messages.hpp"

namespace wire = parley::wire;

namespace {

struct sound {
    std::string name;
    std::optional<int> count;
    static constexpr auto schema =
        wire::message("sound", wire::required("name", &sound::name, wire::string),
                      wire::optional("count", &sound::count, wire::integer(0, 10)));
};

// A member the schema forgets would never travel.
struct forgets_a_member {
    std::string name;
    int count = 0;
    static constexpr auto schema =
        wire::message("forgets", wire::required("name", &forgets_a_member::name, wire::string));
};

// Two fields under one wire name: the second would read the first's value.
struct repeats_a_name {
    std::string a;
    std::string b;
    static constexpr auto schema =
        wire::message("repeats", wire::required("x", &repeats_a_name::a, wire::string),
                      wire::required("x", &repeats_a_name::b, wire::string));
};

// Bounds an int cannot hold would be cut on decoding.
struct bounds_too_wide {
    int count = 0;
    static constexpr auto schema =
        wire::message("wide", wire::required("count", &bounds_too_wide::count, wire::integer(0, 1LL << 40)));
};

// An exclusive pair must name fields the message has.
struct excludes_a_stranger {
    std::optional<int> a;
    static constexpr auto schema =
        wire::message("stranger", wire::optional("a", &excludes_a_stranger::a, wire::integer(0, 1)))
            .excluding("a", "b");
};

}  // namespace

TEST_CASE(
    "a schema must describe every member once, with bounds the member holds, excluding only its own fields") {
    static_assert(wire::well_formed<sound>());
    static_assert(!wire::well_formed<forgets_a_member>());
    static_assert(!wire::well_formed<repeats_a_name>());
    static_assert(!wire::well_formed<bounds_too_wide>());
    static_assert(!wire::well_formed<excludes_a_stranger>());
    // Every protocol message passes (the codec also static_asserts it when it reads one).
    static_assert(wire::well_formed<parley::chat_message>() && wire::well_formed<parley::history_request>() &&
                  wire::well_formed<parley::channel_summary>() &&
                  wire::well_formed<parley::heartbeat_reply>());
    CHECK(wire::detail::member_count<sound>() == 2);
    CHECK(wire::detail::member_count<parley::chat_message>() == 8);
}

TEST_CASE("a schema lists its fields in wire order with their names and presence") {
    constexpr auto& fields = parley::chat_message::schema.fields;
    CHECK(parley::chat_message::schema.type == "message");
    CHECK(std::get<0>(fields).name == "id");
    CHECK(std::get<6>(fields).name == "seq");
    CHECK(std::get<6>(fields).how == wire::presence::omitted_at_default);
    CHECK(std::get<7>(fields).name == "nonce");
    CHECK(parley::history_request::schema.exclusive[0] == "before");
    CHECK(parley::history_request::schema.exclusive[1] == "after");
    CHECK(parley::channel_summary::schema.type.empty());
}
