// Integration: real loopback sockets against a real server. Chat flows.
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <doctest/doctest.h>

using namespace parley;
using namespace parley::test;

namespace {

client_frame post(std::string text, std::optional<std::string> nonce = std::nullopt,
                  std::optional<std::string> channel = std::nullopt) {
    return client_frame{post_message{std::move(channel), std::move(text)}, std::move(nonce)};
}

struct fixture {
    temp_dir dir;
    test_server server{test_config(dir.path())};
};

}  // namespace

TEST_CASE("two clients chat: the sender gets its echo with the nonce, the other the message without") {
    fixture f;
    test_client ann(f.server.port(), "/fishing");
    test_client bob(f.server.port(), "/fishing");
    const auto hello = ann.read_welcome();
    CHECK(hello.id == "fishing");
    CHECK(hello.server == "parley/1.0");
    CHECK(hello.heartbeat_ms == 15000);
    CHECK(hello.session.size() == 32);
    bob.read_welcome();
    REQUIRE(ann.identify("ann").success);
    REQUIRE(bob.identify("bob").success);

    ann.send(post("morning is best", "k1"));
    auto echo = ann.next_of<chat_message>();
    auto seen = bob.next_of<chat_message>();
    REQUIRE(echo);
    REQUIRE(seen);
    CHECK(echo->nonce == "k1");
    CHECK(echo->user == "ann");
    CHECK(echo->channel == "fishing");
    CHECK(echo->text == "morning is best");
    CHECK(echo->id > 0);
    CHECK(echo->timestamp > 1'600'000'000'000);
    CHECK_FALSE(seen->nonce);
    CHECK(seen->id == echo->id);
    CHECK(seen->text == echo->text);
}
