// batching_store over a scripted backend: what a batch does when the database fails.
#include "store/batching_store.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>

#include "store_test_support.hpp"
#include "support/eventually.hpp"
#include "support/scripted_backend.hpp"

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;
using parley::test::eventually;

TEST_CASE("batching store runs reads alone without a transaction") {
    scripted_store f;
    CHECK(history_sync(*f.store, history_query::latest("fishing", 5)).ok());
    CHECK(channels_sync(*f.store).ok());
    CHECK(f.backend->begins == 0);
    CHECK(f.metrics.store_batch_seconds.count() == 0);
}

TEST_CASE("batching store wraps writes in one transaction per batch") {
    scripted_store f;
    CHECK(post_sync(*f.store, make_message("fishing", "a")).outcome == store_outcome::ok);
    CHECK(edit_sync(*f.store, {1, "b", "a:ann", false, 0}).outcome == store_outcome::ok);
    CHECK(remove_sync(*f.store, {1, "a:ann", false}).outcome == store_outcome::ok);
    CHECK(f.backend->begins == 3);
    CHECK(f.backend->commits == 3);
    CHECK(f.backend->rollbacks == 0);
    CHECK(f.metrics.store_batch_seconds.count() == 3);
    CHECK(f.metrics.messages_stored.load() == 1);
}

TEST_CASE("a failed commit fails every job of its batch, reads included") {
    scripted_store f;
    f.backend->fail_commit = true;
    std::future<post_result> first, second;
    std::future<history_result> read;
    {
        storage_blocker hold(*f.store);
        auto p1 = std::make_shared<std::promise<post_result>>();
        auto p2 = std::make_shared<std::promise<post_result>>();
        auto p3 = std::make_shared<std::promise<history_result>>();
        first = p1->get_future();
        second = p2->get_future();
        read = p3->get_future();
        f.store->post(make_message("fishing", "a"), [p1](post_result r) { p1->set_value(r); });
        f.store->history(history_query::latest("fishing", 5), [p3](history_result r) { p3->set_value(r); });
        f.store->post(make_message("fishing", "b"), [p2](post_result r) { p2->set_value(r); });
    }
    const auto a = first.get();
    const auto b = second.get();
    const auto h = read.get();
    CHECK(a.outcome == store_outcome::failed);
    CHECK(a.error == "disk full");
    CHECK(b.outcome == store_outcome::failed);
    CHECK_FALSE(h.ok());
    CHECK(h.error == "disk full");
    CHECK(f.backend->rollbacks == 1);
    CHECK(f.metrics.messages_stored.load() == 0);
    CHECK(f.metrics.store_batch_seconds.count() == 0);

    // The store keeps going once the database recovers.
    f.backend->fail_commit = false;
    CHECK(post_sync(*f.store, make_message("fishing", "c")).outcome == store_outcome::ok);
}

TEST_CASE("a job that fails rolls back its whole batch and skips the rest") {
    scripted_store f;
    std::future<post_result> before, poison, after;
    {
        storage_blocker hold(*f.store);
        auto p1 = std::make_shared<std::promise<post_result>>();
        auto p2 = std::make_shared<std::promise<post_result>>();
        auto p3 = std::make_shared<std::promise<post_result>>();
        before = p1->get_future();
        poison = p2->get_future();
        after = p3->get_future();
        f.store->post(make_message("fishing", "fine"), [p1](post_result r) { p1->set_value(r); });
        f.store->post(make_message("fishing", "poison"), [p2](post_result r) { p2->set_value(r); });
        f.store->post(make_message("fishing", "fine too"), [p3](post_result r) { p3->set_value(r); });
    }
    CHECK(before.get().error == "cannot store poison");
    CHECK(poison.get().error == "cannot store poison");
    CHECK(after.get().outcome == store_outcome::failed);
    CHECK(f.backend->commits == 0);
    CHECK(f.backend->rollbacks == 1);
    CHECK(f.backend->next_id == 2);  // "fine too" never reached the backend
}

TEST_CASE("a batch whose transaction cannot start fails its jobs") {
    scripted_store f;
    f.backend->fail_begin = true;
    const auto r = post_sync(*f.store, make_message("fishing", "a"));
    CHECK(r.outcome == store_outcome::failed);
    CHECK(r.error == "begin refused");
    CHECK(f.backend->commits == 0);
}

TEST_CASE("a call without a callback is still carried out") {
    scripted_store f;
    f.store->post(make_message("fishing", "fire and forget"), nullptr);
    f.store->flush_and_stop();
    CHECK(f.metrics.messages_stored.load() == 1);
}

TEST_CASE("batching store probes its database when idle and records whether it answered") {
    maintenance_options often;
    often.probe_interval = std::chrono::milliseconds(1);
    scripted_store f(often);
    // The first probe comes at once, so a server is ready as soon as its store is.
    CHECK(eventually([&] { return f.metrics.store_reachable.load() && f.backend->probes.load() > 0; }));
    const auto reached = f.metrics.store_reached_at_ms.load();
    CHECK(reached > 0);
    f.backend->fail_probe = true;
    CHECK(eventually([&] { return !f.metrics.store_reachable.load(); }));
    f.backend->fail_probe = false;
    CHECK(eventually([&] { return f.metrics.store_reachable.load(); }));
    CHECK(f.metrics.store_reached_at_ms.load() >= reached);
}

TEST_CASE("a batch that cannot commit marks the database unreached, the next one that commits reached") {
    scripted_store f;  // probes 2 s apart: the batches decide here
    CHECK(eventually([&] { return f.metrics.store_reachable.load(); }));
    f.backend->fail_commit = true;
    CHECK(post_sync(*f.store, make_message("fishing", "lost")).failed());
    CHECK_FALSE(f.metrics.store_reachable.load());
    f.backend->fail_commit = false;
    CHECK(post_sync(*f.store, make_message("fishing", "kept")).ok());
    CHECK(f.metrics.store_reachable.load());
}

TEST_CASE("batching store announces a batch's channels first and moves its events to where the commit put them") {
    scripted_store f;
    f.backend->base = 40;
    std::vector<std::future<post_result>> posts;
    std::future<change_result> edit;
    std::future<history_result> read;
    {
        storage_blocker hold(*f.store);
        for (const char* channel : {"boats", "fishing", "boats"}) {
            auto p = std::make_shared<std::promise<post_result>>();
            posts.push_back(p->get_future());
            f.store->post(make_message(channel, "m"), [p](post_result r) { p->set_value(r); });
        }
        auto e = std::make_shared<std::promise<change_result>>();
        edit = e->get_future();
        f.store->change(edit_of({1, "b", "a:ann", false, 0}), [e](change_result r) { e->set_value(r); });
        auto h = std::make_shared<std::promise<history_result>>();
        read = h->get_future();
        f.store->history(history_query::latest("boats", 5), [h](history_result r) { h->set_value(r); });
    }
    CHECK(posts[0].get().position == 41);
    CHECK(posts[1].get().position == 42);
    CHECK(posts[2].get().position == 43);
    CHECK(edit.get().position == 44);
    CHECK(read.get().position == 0);  // a read's position is the stream's already
    REQUIRE(f.backend->announced.size() == 1);
    CHECK(f.backend->announced[0] == std::vector<std::string>{"boats", "fishing"});
}
