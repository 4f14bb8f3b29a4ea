// Integration: real loopback sockets against a real server. Chat flows.
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace parley;
using namespace parley::test;

namespace {

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

TEST_CASE("200 clients in one channel all receive one broadcast") {
    fixture f;
    std::vector<std::unique_ptr<test_client>> clients;
    for (int i = 0; i < 200; ++i) {
        clients.push_back(std::make_unique<test_client>(f.server.port(), "/crowd"));
        clients.back()->read_welcome();
    }
    REQUIRE(clients[0]->identify("speaker").success);
    clients[0]->send(post("to everyone", "b1"));
    int received = 0;
    for (auto& c : clients) {
        auto m = c->next_of<chat_message>();
        if (m && m->text == "to everyone") ++received;
    }
    CHECK(received == 200);
}

TEST_CASE("history survives a restart and ids keep increasing") {
    temp_dir dir;
    message_id first_id = 0;
    {
        test_server server(test_config(dir.path()));
        test_client ann(server.port(), "/keep");
        ann.read_welcome();
        REQUIRE(ann.identify("ann").success);
        ann.send(post("before restart", "r1"));
        auto echo = ann.next_of<chat_message>();
        REQUIRE(echo);
        first_id = echo->id;
    }
    test_server server(test_config(dir.path()));
    test_client bob(server.port(), "/keep");
    REQUIRE(bob.next_of<connection_info>());
    REQUIRE(bob.next_of<joined_notice>());
    auto history = bob.next_of<history_page>();
    REQUIRE(history);
    REQUIRE(history->messages.size() == 1);
    CHECK(history->messages[0].id == first_id);
    CHECK(history->messages[0].text == "before restart");
    REQUIRE(bob.identify("bob").success);
    bob.send(post("after restart"));
    auto next = bob.next_of<chat_message>();
    REQUIRE(next);
    CHECK(next->id > first_id);
}

TEST_CASE("resume with ?since= on the URL sends exactly the missed messages, oldest first") {
    fixture f;
    test_client ann(f.server.port(), "/resume");
    ann.read_welcome();
    REQUIRE(ann.identify("ann").success);
    std::vector<message_id> ids;
    for (int i = 0; i < 6; ++i) {
        ann.send(post("m" + std::to_string(i), "n" + std::to_string(i)));
        auto echo = ann.next_of<chat_message>();
        REQUIRE(echo);
        ids.push_back(echo->id);
    }
    test_client back(f.server.port(), "/resume?since=" + std::to_string(ids[3]));
    REQUIRE(back.next_of<joined_notice>());
    auto missed = back.next_of<history_page>();
    REQUIRE(missed);
    REQUIRE(missed->messages.size() == 2);
    CHECK(missed->messages[0].id == ids[4]);
    CHECK(missed->messages[1].id == ids[5]);
}

TEST_CASE("history pages backwards with before and forwards with after, has_more at the edges") {
    fixture f;
    test_client ann(f.server.port(), "/pages");
    ann.read_welcome();
    REQUIRE(ann.identify("ann").success);
    std::vector<message_id> ids;
    for (int i = 0; i < 7; ++i) {
        ann.send(post("p" + std::to_string(i)));
        auto echo = ann.next_of<chat_message>();
        REQUIRE(echo);
        ids.push_back(echo->id);
    }
    history_request older;
    older.before = ids[5];
    older.limit = 3;
    ann.send(client_frame{older, std::nullopt});
    auto page = ann.next_of<history_page>();
    REQUIRE(page);
    REQUIRE(page->messages.size() == 3);
    CHECK(page->messages.front().id == ids[2]);
    CHECK(page->messages.back().id == ids[4]);
    CHECK(page->has_more);

    history_request newer;
    newer.after = ids[4];
    newer.limit = 50;
    ann.send(client_frame{newer, std::nullopt});
    auto rest = ann.next_of<history_page>();
    REQUIRE(rest);
    REQUIRE(rest->messages.size() == 2);
    CHECK(rest->messages.back().id == ids[6]);
    CHECK_FALSE(rest->has_more);
}

TEST_CASE("a resend after a reconnect with the same nonce returns the stored message, never a duplicate") {
    fixture f;
    message_id original = 0;
    {
        test_client ann(f.server.port(), "/retry");
        ann.read_welcome();
        REQUIRE(ann.identify("ann").success);
        ann.send(post("exactly once", "retry-1"));
        auto echo = ann.next_of<chat_message>();
        REQUIRE(echo);
        original = echo->id;
    }
    test_client ann(f.server.port(), "/retry");
    ann.read_welcome();
    // The old connection may still be closing and hold the name for a moment.
    for (int i = 0; i < 20 && !ann.identify("ann").success; ++i) std::this_thread::sleep_for(50ms);
    ann.send(post("exactly once", "retry-1"));
    auto echo = ann.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->id == original);
    CHECK(echo->nonce == "retry-1");

    test_client check(f.server.port(), "/retry");
    REQUIRE(check.next_of<joined_notice>());
    auto history = check.next_of<history_page>();
    REQUIRE(history);
    CHECK(history->messages.size() == 1);
}

TEST_CASE("presence: a named newcomer is announced to the others with the online count, and its leaving too") {
    fixture f;
    test_client ann(f.server.port(), "/lobby");
    ann.read_welcome();
    REQUIRE(ann.identify("ann").success);
    {
        test_client bob(f.server.port(), "/lobby");
        REQUIRE(bob.next_of<connection_info>());
        auto joined = bob.next_of<joined_notice>();
        REQUIRE(joined);
        CHECK(joined->users == std::vector<std::string>{"ann"});
        REQUIRE(bob.identify("bob").success);
        auto hello = ann.next_of<presence_notice>();
        REQUIRE(hello);
        CHECK(hello->user == "bob");
        CHECK(hello->state == presence_notice::change::joined);
        CHECK(hello->online == 2);
    }
    auto bye = ann.next_of<presence_notice>();
    REQUIRE(bye);
    CHECK(bye->user == "bob");
    CHECK(bye->state == presence_notice::change::left);
    CHECK(bye->online == 1);
}
