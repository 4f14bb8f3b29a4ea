// Two models chat through native transports with a real parley server on loopback; the
// server is killed and started again on the same port and data directory. Every wait is
// bounded by a deadline and checks a condition: no timing is asserted.
#include "model/transport.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "model/chat_model.hpp"
#include "support/test_server.hpp"

using namespace parley;
using namespace parley::client;

namespace {

unix_ms wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// A model with its own native transport, as the application builds it.
struct chat_client {
    chat_client(unsigned short port, std::string name, std::uint64_t seed)
        : link(make_transport()), model(*link, config(port, std::move(name), seed)) {}

    static model_config config(unsigned short port, std::string name, std::uint64_t seed) {
        model_config c;
        c.server_url = "ws://127.0.0.1:" + std::to_string(port);
        c.channel = "general";
        c.user_name = std::move(name);
        c.seed = seed;
        return c;
    }

    /// The delivered texts of #general, in order.
    std::vector<std::string> texts() const {
        std::vector<std::string> out;
        if (const channel_state* c = model.find_channel("general"))
            for (const message_entry& m : c->messages) out.push_back(m.text);
        return out;
    }
    bool has_text(const std::string& text) const {
        for (const std::string& t : texts())
            if (t == text) return true;
        return false;
    }
    bool all_delivered() const {
        const channel_state* c = model.find_channel("general");
        return c && c->pending.empty();
    }

    /// What a failed wait shows: state, texts, pending sends, problems.
    std::string describe() const {
        std::string out = std::string(to_string(model.state())) + " as '" + model.user_name() + "'; texts:";
        for (const std::string& t : texts()) out += " [" + t + "]";
        if (const channel_state* c = model.find_channel("general"))
            out += "; pending " + std::to_string(c->pending.size()) + "; online " + std::to_string(c->online);
        out += "; link: " + model.link_problem();
        for (const error_entry& e : model.errors()) out += "; error: " + e.message;
        return out;
    }

    std::unique_ptr<transport> link;
    chat_model model;
};

/// Ticks every client until `done` holds or 15 s pass; returns whether it held.
bool pump_until(const std::vector<chat_client*>& clients, const std::function<bool()>& done) {
    const unix_ms deadline = wall_ms() + 15'000;
    while (wall_ms() < deadline) {
        for (chat_client* c : clients) c->model.tick(wall_ms());
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

/// Ticks every client for `ms` milliseconds.
void pump_for(const std::vector<chat_client*>& clients, unix_ms ms) {
    const unix_ms end = wall_ms() + ms;
    pump_until(clients, [&] { return wall_ms() >= end; });
}

bool no_duplicate_ids(const chat_client& c) {
    const channel_state* channel = c.model.find_channel("general");
    if (!channel) return false;
    for (std::size_t i = 1; i < channel->messages.size(); ++i)
        if (channel->messages[i - 1].id >= channel->messages[i].id) return false;
    return true;
}

}  // namespace

TEST_CASE("two models chat through native transports, survive a server restart and resume without loss or duplicates") {
    test::temp_dir data;
    auto server = std::make_unique<test::test_server>(test::test_config(data.path()));
    const unsigned short port = server->port();

    chat_client ann(port, "ann", 1);
    chat_client bob(port, "bob", 2);
    ann.model.start(wall_ms());
    bob.model.start(wall_ms());
    REQUIRE(pump_until({&ann, &bob}, [&] { return ann.model.can_post() && bob.model.can_post(); }));

    REQUIRE(ann.model.post_message("hello bob", wall_ms()) == post_result::sent);
    REQUIRE(pump_until({&ann, &bob}, [&] { return bob.has_text("hello bob") && ann.all_delivered(); }));
    REQUIRE(bob.model.post_message("hi ann", wall_ms()) == post_result::sent);
    REQUIRE(pump_until({&ann, &bob}, [&] { return ann.has_text("hi ann") && bob.all_delivered(); }));
    CHECK(ann.texts() == std::vector<std::string>{"hello bob", "hi ann"});

    // Bob goes away; Ann keeps talking; then the server dies and comes back.
    bob.model.stop();
    ann.model.post_message("while you were out 1", wall_ms());
    ann.model.post_message("while you were out 2", wall_ms());
    REQUIRE(pump_until({&ann}, [&] { return ann.all_delivered(); }));

    server.reset();
    REQUIRE(pump_until({&ann}, [&] { return ann.model.state() == connection_state::reconnecting; }));
    // Typed while the server is down: queued, sent after the reconnect with its nonce.
    CHECK(ann.model.post_message("typed offline", wall_ms()) == post_result::queued);

    auto config = test::test_config(data.path());
    config.port = port;
    server = std::make_unique<test::test_server>(config);
    bob.model.start(wall_ms());

    const std::vector<std::string> expected{"hello bob", "hi ann", "while you were out 1", "while you were out 2",
                                            "typed offline"};
    const bool resumed = pump_until({&ann, &bob}, [&] {
        return ann.texts() == expected && bob.texts() == expected && ann.all_delivered() && bob.model.can_post() &&
               ann.model.channels().front().online == 2;
    });
    if (!resumed) MESSAGE("ann: " << ann.describe() << "\nbob: " << bob.describe());
    REQUIRE(resumed);
    CHECK(no_duplicate_ids(ann));
    CHECK(no_duplicate_ids(bob));
}

TEST_CASE("a reloaded page gets its own name back once the old connection lets go") {
    test::temp_dir data;
    test::test_server server(test::test_config(data.path()));
    auto old_page = std::make_unique<chat_client>(server.port(), "ann", 3);
    old_page->model.start(wall_ms());
    REQUIRE(pump_until({old_page.get()}, [&] { return old_page->model.can_post(); }));

    // The new page connects while the old one still holds the name: `taken`, retried.
    chat_client new_page(server.port(), "ann", 4);
    new_page.model.start(wall_ms());
    REQUIRE(pump_until({old_page.get(), &new_page},
                       [&] { return new_page.model.state() == connection_state::identifying; }));
    pump_for({old_page.get(), &new_page}, 1200);  // two or three `taken` answers and retries
    CHECK(new_page.model.state() == connection_state::identifying);
    CHECK(new_page.model.user_name().empty());  // never another name
    old_page.reset();  // the old tab goes
    REQUIRE(pump_until({&new_page}, [&] { return new_page.model.can_post(); }));
    CHECK(new_page.model.user_name() == "ann");
    CHECK(new_page.model.identity_issue() == identity_problem::none);
}

TEST_CASE("with big messages a resume pages forward and scrolling back pages to the start, nothing lost or doubled") {
    // 60 messages of 4,000 four-byte code points: 1 MB of history, four times what one
    // history page may carry. The server cuts its pages; the model must page on.
    test::temp_dir data;
    auto config = test::test_config(data.path());
    config.rate_limit = 0;
    test::test_server server(config);
    chat_client ann(server.port(), "ann", 5);
    chat_client bob(server.port(), "bob", 6);
    ann.model.start(wall_ms());
    bob.model.start(wall_ms());
    REQUIRE(pump_until({&ann, &bob}, [&] { return ann.model.can_post() && bob.model.can_post(); }));
    // Bob has seen a message: when he comes back he resumes after it (`since`).
    REQUIRE(ann.model.post_message("before", wall_ms()) == post_result::sent);
    REQUIRE(pump_until({&ann, &bob}, [&] { return bob.has_text("before"); }));
    bob.model.stop();

    std::vector<std::string> expected{"before"};
    std::string big;
    for (int i = 0; i < 4000; ++i) big += "\xF0\x9F\x98\x80";
    for (int i = 0; i < 60; ++i) {
        expected.push_back(std::to_string(i) + big.substr(0, big.size() - 4 * std::to_string(i).size()));
        REQUIRE(ann.model.post_message(expected.back(), wall_ms()) == post_result::sent);
        if (i % 10 == 9) REQUIRE(pump_until({&ann}, [&] { return ann.all_delivered(); }));
    }
    REQUIRE(pump_until({&ann}, [&] { return ann.all_delivered(); }));

    // Bob comes back: the resume with since is cut into pages and paged on with after.
    bob.model.start(wall_ms());
    const bool resumed = pump_until({&ann, &bob}, [&] { return bob.texts() == expected; });
    if (!resumed) MESSAGE("bob has " << bob.texts().size() << " messages; " << bob.model.link_problem());
    CHECK(resumed);
    CHECK(no_duplicate_ids(bob));

    // A newcomer gets the newest page on joining, and scrolling back pages to the start.
    chat_client carl(server.port(), "carl", 7);
    carl.model.start(wall_ms());
    REQUIRE(pump_until({&carl}, [&] { return carl.model.can_post(); }));
    REQUIRE(pump_until({&carl}, [&] { return !carl.texts().empty(); }));
    CHECK(carl.texts().size() < expected.size());
    CHECK(carl.texts().back() == expected.back());
    const bool scrolled = pump_until({&carl}, [&] {
        carl.model.load_older("general");
        return carl.texts() == expected;
    });
    if (!scrolled) MESSAGE("carl has " << carl.texts().size() << " messages");
    CHECK(scrolled);
    CHECK(no_duplicate_ids(carl));
    CHECK(server.metrics().slow_consumers_dropped.load() == 0);
}
