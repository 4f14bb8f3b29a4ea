// The protocol additions of issue 11 (docs/protocol.md): channels paging, `online` in
// `joined`, the `online` notice, and the empty text of a deleted message's resend echo.
#include "parley/core/codec.hpp"

#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "parley/core/limits.hpp"

using parley::error_code;

namespace {

parley::channels_request channels(const std::string& input) {
    const auto decoded = parley::decode_client_frame(input);
    REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? std::string() : decoded.error().message));
    return std::get<parley::channels_request>(decoded.value().message);
}

template <class T>
T server_as(const std::string& input) {
    const auto decoded = parley::decode_server_message(input);
    REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? std::string() : decoded.error().message));
    return std::get<T>(decoded.value());
}

}  // namespace

TEST_CASE("a channels request without paging asks for the first 100 channels") {
    const auto m = channels(R"({"type":"channels"})");
    CHECK_FALSE(m.after.has_value());
    CHECK(m.limit == parley::limits::default_channels_limit);
    CHECK(parley::limits::default_channels_limit == 100);
}

TEST_CASE("channels paging: after is a channel name, limit any number clamped to 1..200") {
    CHECK(channels(R"({"type":"channels","after":"fishing"})").after == std::optional<std::string>("fishing"));
    CHECK(channels(R"({"type":"channels","limit":0})").limit == 1);
    CHECK(channels(R"({"type":"channels","limit":-7})").limit == 1);
    CHECK(channels(R"({"type":"channels","limit":2.7})").limit == 2);
    CHECK(channels(R"({"type":"channels","limit":200})").limit == 200);
    CHECK(channels(R"({"type":"channels","limit":201})").limit == parley::limits::max_channels_limit);
    CHECK(channels(R"({"type":"channels","limit":1e300})").limit == 200);
    CHECK(channels(R"({"type":"channels","limit":18446744073709551615})").limit == 200);
    const auto both = channels(R"({"type":"channels","after":"a-b_c","limit":5,"nonce":"p2"})");
    CHECK(both.after == std::optional<std::string>("a-b_c"));
    CHECK(both.limit == 5);
}

TEST_CASE("a bad channels after is invalid_message, not no_such_channel") {
    // It names a place in the sorted list, not a channel to act on.
    const auto decoded = parley::decode_client_frame(R"({"type":"channels","after":"Bad"})");
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == error_code::invalid_message);
    CHECK(decoded.error().message == "'after' must be a channel name");
}

TEST_CASE("channels requests encode minimal by default, with after and limit when set") {
    using parley::channels_request;
    using parley::client_frame;
    CHECK(parley::encode(client_frame{channels_request{}, std::nullopt}) == R"({"type":"channels"})");
    CHECK(parley::encode(client_frame{channels_request{.after = "fishing", .limit = 100}, std::nullopt}) ==
          R"({"type":"channels","after":"fishing"})");
    CHECK(parley::encode(client_frame{channels_request{.after = "fishing", .limit = 5}, "n"}) ==
          R"({"type":"channels","after":"fishing","limit":5,"nonce":"n"})");
}

TEST_CASE("a channels answer says has_more; one without it reads as the last page") {
    CHECK_FALSE(server_as<parley::channel_list>(R"({"type":"channels","channels":[]})").has_more);
    const auto more =
        server_as<parley::channel_list>(R"({"type":"channels","channels":[{"name":"a","online":1}],"has_more":true})");
    CHECK(more.has_more);
    CHECK(more.channels.size() == 1);
    CHECK(parley::encode(parley::server_message{parley::channel_list{.channels = {}, .has_more = true}}) ==
          R"({"type":"channels","channels":[],"has_more":true})");
}

TEST_CASE("joined carries online when users was cut; without it the client counts users") {
    const auto cut = server_as<parley::joined_notice>(R"({"type":"joined","channel":"big","users":["ann"],"online":5000})");
    CHECK(cut.online == std::optional<int>(5000));
    CHECK(cut.users.size() == 1);
    const auto whole = server_as<parley::joined_notice>(R"({"type":"joined","channel":"a","users":["ann","bob"]})");
    CHECK_FALSE(whole.online.has_value());
    CHECK(parley::encode(parley::server_message{parley::joined_notice{"a", {"ann"}}}) ==
          R"({"type":"joined","channel":"a","users":["ann"]})");
    CHECK(parley::encode(parley::server_message{parley::joined_notice{"a", {}, 7}}) ==
          R"({"type":"joined","channel":"a","users":[],"online":7})");
}

TEST_CASE("the online notice carries a channel's count of names") {
    const auto m = server_as<parley::online_notice>(R"({"type":"online","channel":"big","online":1234})");
    CHECK(m.channel == "big");
    CHECK(m.online == 1234);
    CHECK(parley::encode(parley::server_message{m}) == R"({"type":"online","channel":"big","online":1234})");
    CHECK(parley::type_name(parley::server_message{m}) == "online");
    // It is a server message only.
    CHECK(parley::decode_client_frame(R"({"type":"online","channel":"big","online":1})").error().code ==
          error_code::unknown_type);
}

TEST_CASE("a server message frame may carry empty text; a client one may not") {
    const auto echo = server_as<parley::chat_message>(
        R"({"type":"message","id":7,"channel":"a","user":"ann","text":"","timestamp":1,"nonce":"k1"})");
    CHECK(echo.text.empty());
    CHECK(echo.nonce == std::optional<std::string>("k1"));
    const auto post = parley::decode_client_frame(R"({"type":"message","text":""})");
    REQUIRE_FALSE(post.ok());
    CHECK(post.error().code == error_code::invalid_message);
}
