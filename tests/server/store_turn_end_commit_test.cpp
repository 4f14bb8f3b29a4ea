// batching_store with turn_end_commit: the jobs an event loop queues in one turn are
// committed together by that loop at the turn's end, without waking the storage thread;
// a busy loop, a thread that runs no loop, and a batch already running leave them to the
// storage thread or the loop that runs it; a turn-end commit that runs after the store
// stopped does nothing; upkeep a batch gave work wakes the storage thread once.
#include "store/batching_store.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store_test_support.hpp"
#include "support/eventually.hpp"
#include "support/scripted_backend.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;
using parley::test::eventually;

namespace {

/// Event loops the test turns by hand: the thread that made it, and any that joined(),
/// each runs a loop whose deferred tasks wait until that thread calls run_turn(). Must
/// outlive the store it is given to.
class hand_loops {
public:
    hand_loops() { join(); }
    /// Makes the calling thread one that runs a loop.
    void join() {
        std::lock_guard lock(mutex_);
        tasks_[std::this_thread::get_id()];
    }
    turn_end_commit hook(std::chrono::microseconds busy_after = std::chrono::minutes(1)) {
        return {[this](std::function<void()> task) {
                    std::lock_guard lock(mutex_);
                    const auto loop = tasks_.find(std::this_thread::get_id());
                    if (loop == tasks_.end()) return false;
                    loop->second.push_back(std::move(task));
                    return true;
                },
                busy_after};
    }
    /// Tasks waiting on the calling thread's loop.
    std::size_t queued() {
        std::lock_guard lock(mutex_);
        return tasks_[std::this_thread::get_id()].size();
    }
    /// Runs what the calling thread deferred before this turn; what is deferred meanwhile
    /// waits for the next.
    void run_turn() {
        std::vector<std::function<void()>> turn;
        {
            std::lock_guard lock(mutex_);
            turn.swap(tasks_[std::this_thread::get_id()]);
        }
        for (auto& task : turn) task();
    }

private:
    std::mutex mutex_;
    std::map<std::thread::id, std::vector<std::function<void()>>> tasks_;
};

/// Upkeep and probes an hour apart, so the storage thread sleeps unless woken.
maintenance_options quiet() {
    maintenance_options m;
    m.interval = std::chrono::hours(1);
    m.probe_interval = std::chrono::hours(1);
    return m;
}

/// Waits until the storage thread has made its first round (a probe) and gone to sleep.
void wait_until_storage_sleeps(scripted_store& s) {
    REQUIRE(eventually([&] { return s.backend->probes.load() > 0; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

/// Where and what a post's callback saw.
struct answer {
    std::mutex mutex;
    bool done = false;
    post_result result;
    std::thread::id thread;

    message_store::post_callback callback() {
        return [this](post_result r) {
            std::lock_guard lock(mutex);
            result = std::move(r);
            thread = std::this_thread::get_id();
            done = true;
        };
    }
    bool answered() {
        std::lock_guard lock(mutex);
        return done;
    }
};

}  // namespace

TEST_CASE("the posts a loop makes in one turn commit together at the turn's end, on that loop's thread") {
    hand_loops loop;
    scripted_store s(quiet(), loop.hook());
    wait_until_storage_sleeps(s);

    answer a, b, c;
    s.store->post(make_message("fishing", "a"), a.callback());
    s.store->post(make_message("boats", "b"), b.callback());
    s.store->post(make_message("fishing", "c"), c.callback());
    CHECK(loop.queued() == 1);  // one commit for the turn
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(s.backend->begins == 0);  // the storage thread was not woken
    CHECK_FALSE(a.answered());

    loop.run_turn();
    CHECK(s.backend->begins == 1);
    CHECK(s.backend->commits == 1);
    REQUIRE(a.answered());
    REQUIRE(b.answered());
    REQUIRE(c.answered());
    CHECK(a.thread == std::this_thread::get_id());
    CHECK(c.thread == std::this_thread::get_id());
    CHECK(a.result.message.id == 1);
    CHECK(b.result.message.id == 2);
    CHECK(c.result.message.id == 3);
    CHECK(s.metrics.messages_stored.load() == 3);

    // The next turn's post is the next turn's commit.
    answer d;
    s.store->post(make_message("fishing", "d"), d.callback());
    CHECK(loop.queued() == 1);
    loop.run_turn();
    CHECK(d.answered());
    CHECK(s.backend->commits == 2);
}

TEST_CASE("a callback of a turn-end commit that calls the store again is committed in a later turn") {
    hand_loops loop;
    scripted_store s(quiet(), loop.hook());
    wait_until_storage_sleeps(s);

    answer reply;
    s.store->post(make_message("fishing", "question"), [&](post_result) {
        s.store->post(make_message("fishing", "reply"), reply.callback());
    });
    loop.run_turn();
    CHECK(s.backend->commits == 1);
    CHECK_FALSE(reply.answered());
    CHECK(loop.queued() == 1);
    loop.run_turn();
    REQUIRE(reply.answered());
    CHECK(reply.result.message.id == 2);
    CHECK(s.backend->commits == 2);
}

TEST_CASE("a turn-end commit that waited past busy_after leaves its batch to the storage thread") {
    hand_loops loop;
    scripted_store s(quiet(), loop.hook(std::chrono::milliseconds(1)));
    wait_until_storage_sleeps(s);

    answer a;
    s.store->post(make_message("fishing", "a"), a.callback());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a long turn
    loop.run_turn();
    REQUIRE(eventually([&] { return a.answered(); }));
    CHECK(a.thread != std::this_thread::get_id());
    CHECK(a.result.ok());
}

TEST_CASE("a job from a thread that runs no loop wakes the storage thread") {
    hand_loops loop;
    scripted_store s(quiet(), loop.hook());
    wait_until_storage_sleeps(s);

    answer a;
    std::thread::id poster;
    std::thread([&] {
        poster = std::this_thread::get_id();
        s.store->post(make_message("fishing", "a"), a.callback());
    }).join();
    CHECK(loop.queued() == 0);
    REQUIRE(eventually([&] { return a.answered(); }));
    CHECK(a.thread != poster);
    CHECK(a.thread != std::this_thread::get_id());
}

TEST_CASE("a turn-end commit that finds a batch running leaves its jobs to run after that batch") {
    hand_loops loop;
    scripted_store s(quiet(), loop.hook());
    wait_until_storage_sleeps(s);

    answer first, second;
    s.backend->close_gate();
    std::thread([&] { s.store->post(make_message("fishing", "first"), first.callback()); }).join();
    REQUIRE(eventually([&] { return s.backend->entered.load(); }));  // the storage thread holds its batch

    s.store->post(make_message("fishing", "second"), second.callback());
    loop.run_turn();  // cannot commit now: it must not overtake "first"
    CHECK_FALSE(second.answered());
    s.backend->open_gate();

    REQUIRE(eventually([&] { return first.answered() && second.answered(); }));
    CHECK(first.result.message.id == 1);
    CHECK(second.result.message.id == 2);
    CHECK(second.thread != std::this_thread::get_id());  // the storage thread took it
    CHECK(s.backend->commits == 2);
}

TEST_CASE("a turn-end commit that finds another loop committing leaves its jobs to that loop") {
    hand_loops loops;
    scripted_store s(quiet(), loops.hook());
    wait_until_storage_sleeps(s);

    answer first, second;
    std::thread::id other_loop;
    s.backend->close_gate();
    std::thread other([&] {
        loops.join();
        other_loop = std::this_thread::get_id();
        s.store->post(make_message("fishing", "first"), first.callback());
        loops.run_turn();  // commits "first", held at the gate; then "second"
    });
    REQUIRE(eventually([&] { return s.backend->entered.load(); }));

    s.store->post(make_message("boats", "second"), second.callback());
    loops.run_turn();  // the other loop holds the committer: nothing to do here
    CHECK_FALSE(second.answered());
    s.backend->open_gate();
    other.join();

    REQUIRE(first.answered());
    REQUIRE(second.answered());
    CHECK(first.thread == other_loop);
    CHECK(second.thread == other_loop);  // run by the loop that held the committer
    CHECK(first.result.message.id == 1);
    CHECK(second.result.message.id == 2);
    CHECK(s.backend->commits == 2);
}

TEST_CASE("a turn-end commit that gives upkeep work wakes the storage thread once, not after every turn") {
    hand_loops loop;
    maintenance_options m = quiet();
    m.pause = std::chrono::seconds(2);  // the turns below all fall within it
    scripted_store s(m, loop.hook());
    wait_until_storage_sleeps(s);
    s.backend->wants_upkeep_after_post = true;  // each post puts a channel over its cap
    const int rounds_before = s.backend->storage_thread_rounds.load();
    const int upkeeps_before = s.backend->upkeeps.load();  // its first round's

    auto post_in_a_turn = [&] {
        answer a;
        s.store->post(make_message("fishing", "over the cap"), a.callback());
        loop.run_turn();
        REQUIRE(a.answered());
    };
    post_in_a_turn();  // tells the storage thread, which goes back to sleep for the pause
    REQUIRE(eventually([&] { return s.backend->storage_thread_rounds.load() == rounds_before + 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // and is asleep again
    for (int turn = 0; turn < 4; ++turn) post_in_a_turn();  // upkeep already waits: not told
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(s.backend->storage_thread_rounds.load() == rounds_before + 1);
    CHECK(s.backend->upkeeps == upkeeps_before);  // the pause has not passed
}

TEST_CASE("upkeep still wanted after its step (a checkpoint refused as busy) runs again after the pause") {
    hand_loops loop;
    maintenance_options m = quiet();  // the interval is an hour: only the pause can bring it back
    m.pause = std::chrono::milliseconds(5);
    scripted_store s(m, loop.hook());
    wait_until_storage_sleeps(s);
    s.backend->busy_upkeeps = 2;
    s.backend->wants_upkeep_after_post = true;
    const int upkeeps_before = s.backend->upkeeps.load();  // its first round's

    answer a;
    s.store->post(make_message("fishing", "over the cap"), a.callback());
    loop.run_turn();
    REQUIRE(a.answered());
    REQUIRE(eventually([&] { return s.backend->upkeeps.load() == upkeeps_before + 3; }));
    CHECK_FALSE(s.backend->upkeep_wanted);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    CHECK(s.backend->upkeeps == upkeeps_before + 3);  // done: back to the hourly interval
}

TEST_CASE("a turn-end commit that runs after the store stopped does nothing") {
    hand_loops loop;
    auto s = std::make_unique<scripted_store>(quiet(), loop.hook());
    wait_until_storage_sleeps(*s);

    int answers = 0;
    s->store->post(make_message("fishing", "a"), [&](post_result r) {
        CHECK(r.ok());
        ++answers;
    });
    s->store->flush_and_stop();  // the storage thread commits what is queued
    CHECK(answers == 1);
    s.reset();
    loop.run_turn();  // its store is gone
    CHECK(answers == 1);
}
