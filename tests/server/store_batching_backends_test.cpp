// Group commit, concurrency and the queue bound of the store on every backend, end to end.
#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store_test_support.hpp"
#include "support/store_places.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

template <class Place>
std::unique_ptr<message_store> open_store(Place& place, server_metrics* metrics, store_setup setup = {}) {
    setup.metrics = metrics;
    return place.open(setup);
}

// Counts callbacks down to zero; the test thread waits for zero.
class countdown {
public:
    explicit countdown(int n) : left_(n) {}
    void done() {
        std::lock_guard lock(mutex_);
        if (--left_ == 0) zero_.notify_all();
    }
    void wait() {
        std::unique_lock lock(mutex_);
        zero_.wait(lock, [this] { return left_ == 0; });
    }

private:
    std::mutex mutex_;
    std::condition_variable zero_;
    int left_;
};

}  // namespace

TEST_CASE_TEMPLATE("1,000 posts queued at once complete in order, with rising ids, in one batch", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    server_metrics metrics;
    auto store = open_store(place, &metrics);
    constexpr int posts = 1000;

    std::mutex mutex;
    std::vector<post_result> results;  // in callback order
    countdown finished(posts);
    {
        storage_blocker hold(*store);
        for (int i = 0; i < posts; ++i) {
            store->post(make_message(i % 2 == 0 ? "fishing" : "random", std::to_string(i)),
                        [&](post_result r) {
                            {
                                std::lock_guard lock(mutex);
                                results.push_back(std::move(r));
                            }
                            finished.done();
                        });
        }
    }
    finished.wait();

    std::lock_guard lock(mutex);
    REQUIRE(results.size() == posts);
    for (int i = 0; i < posts; ++i) {
        REQUIRE(results[i].outcome == store_outcome::ok);
        CHECK(results[i].message.text == std::to_string(i));
        if (i > 0) CHECK(results[i].message.id > results[i - 1].message.id);
    }
    CHECK(metrics.store_batch_seconds.count() == 1);
    CHECK(metrics.messages_stored.load() == posts);
}

TEST_CASE_TEMPLATE("metrics count one batch per commit and every stored message, not duplicates", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    server_metrics metrics;
    auto store = open_store(place, &metrics);
    REQUIRE(post_sync(*store, make_message("fishing", "a", "k1")).outcome == store_outcome::ok);
    REQUIRE(post_sync(*store, make_message("fishing", "a", "k1")).outcome == store_outcome::duplicate);
    REQUIRE(history_sync(*store, history_query::latest("fishing", 5)).ok());  // a read: no batch
    CHECK(metrics.store_batch_seconds.count() == 2);
    CHECK(metrics.messages_stored.load() == 1);
}

TEST_CASE_TEMPLATE("posts from 4 threads all complete with unique ids rising in commit order", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = open_store(place, nullptr);
    constexpr int threads = 4;
    constexpr int per_thread = 250;

    std::mutex mutex;
    std::vector<message_id> ids_in_commit_order;
    int failures = 0;
    countdown finished(threads * per_thread);
    std::vector<std::thread> posters;
    for (int t = 0; t < threads; ++t) {
        posters.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                store->post(make_message(t % 2 == 0 ? "even" : "odd", "m"), [&](post_result r) {
                    {
                        std::lock_guard lock(mutex);
                        if (r.outcome == store_outcome::ok)
                            ids_in_commit_order.push_back(r.message.id);
                        else
                            ++failures;
                    }
                    finished.done();
                });
            }
        });
    }
    for (auto& p : posters) p.join();
    finished.wait();

    std::lock_guard lock(mutex);
    CHECK(failures == 0);
    REQUIRE(ids_in_commit_order.size() == threads * per_thread);
    CHECK(std::set<message_id>(ids_in_commit_order.begin(), ids_in_commit_order.end()).size() ==
          ids_in_commit_order.size());
    for (std::size_t i = 1; i < ids_in_commit_order.size(); ++i)
        CHECK(ids_in_commit_order[i] > ids_in_commit_order[i - 1]);
}

TEST_CASE_TEMPLATE("a full queue refuses a call at once with storage overloaded", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    store_setup options;
    options.queue.max_jobs = 4;
    auto store = open_store(place, nullptr, options);

    countdown accepted(4);
    std::vector<store_outcome> outcomes(4, store_outcome::failed);
    std::optional<post_result> refused;
    std::optional<history_result> refused_read;
    {
        storage_blocker hold(*store);
        for (int i = 0; i < 4; ++i) {
            store->post(make_message("fishing", "m"), [&, i](post_result r) {
                outcomes[i] = r.outcome;
                accepted.done();
            });
        }
        // The storage thread is held, so the queue is full now and stays so.
        store->post(make_message("fishing", "one too many"), [&](post_result r) { refused = r; });
        REQUIRE(refused.has_value());  // answered before post() returned
        CHECK(refused->outcome == store_outcome::failed);
        CHECK(refused->error == "storage overloaded");
        store->history(history_query::latest("fishing", 5), [&](history_result r) { refused_read = r; });
        REQUIRE(refused_read.has_value());
        CHECK_FALSE(refused_read->ok());
        CHECK(refused_read->error == "storage overloaded");
    }
    accepted.wait();
    for (auto o : outcomes) CHECK(o == store_outcome::ok);
    // Room again once the batch ran.
    CHECK(post_sync(*store, make_message("fishing", "later")).outcome == store_outcome::ok);
}

TEST_CASE_TEMPLATE("flush_and_stop commits everything queued, then calls fail with storage stopped", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = open_store(place, nullptr);
    std::atomic<int> stored{0};
    for (int i = 0; i < 100; ++i)
        store->post(make_message("fishing", "m"), [&](post_result r) {
            if (r.outcome == store_outcome::ok) ++stored;
        });
    store->flush_and_stop();
    CHECK(stored.load() == 100);

    std::optional<post_result> late;
    store->post(make_message("fishing", "late"), [&](post_result r) { late = r; });
    REQUIRE(late.has_value());
    CHECK(late->outcome == store_outcome::failed);
    CHECK(late->error == "storage stopped");
    store->flush_and_stop();  // a second call is harmless
    store.reset();

    auto reopened = open_store(place, nullptr);
    CHECK(history_sync(*reopened, history_query::latest("fishing", 200)).messages.size() == 100);
}

TEST_CASE_TEMPLATE("callbacks run on the storage thread, not the caller's", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = open_store(place, nullptr);
    const auto caller = std::this_thread::get_id();
    const auto callback_thread = wait_for<std::thread::id>([&](auto done) {
        store->post(make_message("fishing", "m"), [done](post_result) { done(std::this_thread::get_id()); });
    });
    CHECK(callback_thread != caller);
}
