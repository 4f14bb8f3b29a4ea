// What only the PostgreSQL store has: its connection and schema, and several servers on one
// database. Two backends on one schema stand for two servers here; each runs its own
// transactions, as each server's storage thread would.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres_backend.hpp"
#include "store/postgres_schema.hpp"
#include "store/postgres_store.hpp"
#include "store_test_support.hpp"
#include "support/store_places.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;
using namespace std::chrono_literals;

/// Posts `m` in a transaction of its own; the whole result, its event's position in the
/// stream included.
post_result post_alone(batch_backend& b, const new_message& m) {
    std::string error;
    REQUIRE(b.begin(error));
    b.will_post_to({m.channel});
    auto r = b.post(m);
    INFO(r.error);
    REQUIRE_FALSE(r.failed());
    REQUIRE(b.commit(error));
    if (r.position != 0) r.position += b.committed_base();
    return r;
}

}  // namespace

TEST_CASE("postgres: a database that cannot be reached is one line naming the reason") {
    postgres_store_options options;
    options.backend.conninfo = "host=127.0.0.1 port=1 connect_timeout=2";
    std::string error;
    CHECK(open_postgres_store(options, nullptr, error) == nullptr);
    INFO(error);
    CHECK(error.starts_with("cannot connect to PostgreSQL: "));
    CHECK(error.find('\n') == std::string::npos);
    CHECK(error.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("postgres: a malformed connection string is refused with libpq's reason") {
    postgres_store_options options;
    options.backend.conninfo = "this is not = a conninfo '";
    std::string error;
    CHECK(open_postgres_store(options, nullptr, error) == nullptr);
    CHECK(error.starts_with("cannot connect to PostgreSQL: "));
}

TEST_CASE("postgres: the schema is created once, recorded, and opening again changes nothing") {
    postgres_place place;
    if (!place.available()) return;
    {
        auto store = place.open();
        REQUIRE(post_sync(*store, make_message("fishing", "kept")).ok());
    }
    CHECK(place.query_int("SELECT version FROM parley_schema") == pg::schema_version);
    CHECK(place.query_int("SELECT count(*) FROM parley_schema") == 1);
    auto store = place.open();
    CHECK(history_sync(*store, history_query::latest("fishing", 5)).messages.size() == 1);
    CHECK(place.query_int("SELECT count(*) FROM parley_schema") == 1);
}

TEST_CASE("postgres: servers starting together on an empty database migrate it once") {
    postgres_place place;
    if (!place.available()) return;
    std::vector<std::future<bool>> opened;
    for (int i = 0; i < 3; ++i)
        opened.push_back(std::async(std::launch::async, [&place] {
            postgres_backend_options options;
            options.conninfo = place.conninfo();
            std::string error;
            auto backend = postgres_backend::open(options, error);
            if (!backend) MESSAGE(error);
            return backend != nullptr;
        }));
    for (auto& f : opened) CHECK(f.get());
    CHECK(place.query_int("SELECT count(*) FROM parley_schema") == 1);
}

TEST_CASE("postgres: a database with a newer schema is refused, naming both versions") {
    postgres_place place;
    if (!place.available()) return;
    { auto store = place.open(); }
    place.query("UPDATE parley_schema SET version = 99");
    postgres_store_options options;
    options.backend.conninfo = place.conninfo();
    std::string error;
    CHECK(open_postgres_store(options, nullptr, error) == nullptr);
    INFO(error);
    CHECK(error.find("99") != std::string::npos);
    CHECK(error.find("newer") != std::string::npos);
}

TEST_CASE("postgres: two servers posting to one channel give dense positions and ids rising with them") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    auto b = place.open_backend();
    std::vector<post_result> posted;
    for (int i = 0; i < 10; ++i) posted.push_back(post_alone(i % 3 == 0 ? *a : *b, make_message("fishing", "m")));
    for (std::size_t i = 0; i < posted.size(); ++i) {
        CHECK(posted[i].message.seq == static_cast<std::int64_t>(i + 1));
        if (i > 0) CHECK(posted[i].message.id > posted[i - 1].message.id);
    }
    // Each sees the other's messages and channels.
    CHECK(a->history(history_query::latest("fishing", 50)).messages.size() == 10);
    post_alone(*b, make_message("boats", "m"));
    CHECK(a->channels().names == std::vector<std::string>{"boats", "fishing"});
}

TEST_CASE("postgres: a resend on another server returns the message the first one stored") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    auto b = place.open_backend();
    const auto first = post_alone(*a, make_message("fishing", "hello", "k1"));
    REQUIRE(first.ok());
    const auto again = post_alone(*b, make_message("fishing", "hello", "k1"));
    CHECK(again.outcome == store_outcome::duplicate);
    CHECK(again.message.id == first.message.id);
    CHECK(place.query_int("SELECT count(*) FROM messages") == 1);
}

TEST_CASE("postgres: the same nonce on two servers at once is stored once") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    auto b = place.open_backend();
    std::string error;
    // Server A's batch holds the post uncommitted; B's post of the same nonce must wait
    // for it (the channel's lock), then find it.
    REQUIRE(a->begin(error));
    const auto first = a->post(make_message("fishing", "hello", "k1"));
    REQUIRE(first.ok());
    auto second = std::async(std::launch::async, [&b] { return post_alone(*b, make_message("fishing", "hello", "k1")); });
    CHECK(second.wait_for(200ms) == std::future_status::timeout);  // waiting on A's lock
    REQUIRE(a->commit(error));
    const auto r = second.get();
    CHECK(r.outcome == store_outcome::duplicate);
    CHECK(r.message.id == first.message.id);
    CHECK(place.query_int("SELECT count(*) FROM messages") == 1);
}

TEST_CASE("postgres: an edit and a delete made through one server are what the other reads") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    auto b = place.open_backend();
    const auto kept = post_alone(*a, make_message("fishing", "draft")).message.id;
    const auto gone = post_alone(*a, make_message("fishing", "oops")).message.id;
    std::string error;
    REQUIRE(b->begin(error));
    CHECK(b->change(edit_of({kept, "final", "a:ann", false, base_time + 1})).ok());
    CHECK(b->change(removal_of({gone, "a:ann", false})).ok());
    REQUIRE(b->commit(error));
    const auto page = a->history(history_query::latest("fishing", 10));
    REQUIRE(page.messages.size() == 1);
    CHECK(page.messages[0].text == "final");
    CHECK(page.messages[0].edited_at == base_time + 1);
    // And a change of a message the other server deleted is not found.
    REQUIRE(a->begin(error));
    CHECK(a->change(edit_of({gone, "resurrected", "a:ann", false, base_time + 2})).outcome ==
          store_outcome::not_found);
    REQUIRE(a->commit(error));
}

TEST_CASE("postgres: a connection the database ended is made again by the next batch") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    const auto before = post_alone(*a, make_message("fishing", "before"));
    // Ends the backend's session (as pg_terminate_backend by an administrator, or a
    // restart of the database, would); the probe's own connection is spared.
    CHECK(place.query_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                          "WHERE pid <> pg_backend_pid() AND application_name = current_setting('application_name')") ==
          1);
    const auto after = post_alone(*a, make_message("fishing", "after"));
    CHECK(after.message.id > before.message.id);
    CHECK(after.message.seq == 2);
}

TEST_CASE("postgres: the idle store probes its database: reachable, and reached again after its session ended") {
    postgres_place place;
    if (!place.available()) return;
    server_metrics metrics;
    store_setup setup;
    setup.metrics = &metrics;
    setup.maintenance.probe_interval = 5ms;
    auto store = place.open(setup);
    auto reached_after = [&](std::int64_t since) {
        for (int i = 0; i < 1000; ++i) {
            if (metrics.store_reachable.load() && metrics.store_reached_at_ms.load() > since) return true;
            std::this_thread::sleep_for(5ms);
        }
        return false;
    };
    CHECK(reached_after(0));
    CHECK(place.query_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                          "WHERE pid <> pg_backend_pid() AND application_name = current_setting('application_name')") ==
          1);
    const auto ended_at = server_metrics::steady_now_ms();
    CHECK(reached_after(ended_at));  // the probe connected again
    CHECK(post_sync(*store, make_message("fishing", "after")).ok());
}

TEST_CASE("postgres: every write takes the next stream position whichever server makes it") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    auto b = place.open_backend();
    const auto first = post_alone(*a, make_message("fishing", "one"));
    const auto second = post_alone(*b, make_message("boats", "two"));
    CHECK(first.position == 1);
    CHECK(second.position == 2);
    std::string error;
    REQUIRE(a->begin(error));
    const auto edited = a->change(edit_of({first.message.id, "uno", "a:ann", false, base_time + 1}));
    const auto removed = a->change(removal_of({second.message.id, "a:ann", false}));
    REQUIRE(a->commit(error));
    CHECK(edited.position + a->committed_base() == 3);
    CHECK(removed.position + a->committed_base() == 4);
    CHECK(place.query_int("SELECT position FROM stream_head") == 4);
    // Each event is the frame the channel's members get, in order.
    const auto payloads = place.query("SELECT payload FROM events ORDER BY position");
    REQUIRE(payloads.size() == 4);
    CHECK(payloads[0].find("\"type\":\"message\"") != std::string::npos);
    CHECK(payloads[0].find("\"text\":\"one\"") != std::string::npos);
    CHECK(payloads[2].find("\"type\":\"edited\"") != std::string::npos);
    CHECK(payloads[3].find("\"type\":\"deleted\"") != std::string::npos);
    // A read reports the head it saw: the other server's writes included.
    CHECK(b->history(history_query::latest("fishing", 10)).position == 4);
    CHECK(b->history(history_query::latest("nowhere", 10)).position == 4);
}

TEST_CASE("postgres: a read in a batch that wrote sees the batch's own events in its position") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    post_alone(*a, make_message("fishing", "before"));
    std::string error;
    REQUIRE(a->begin(error));
    const auto mine = a->post(make_message("fishing", "mine"));
    const auto page = a->history(history_query::latest("fishing", 10));
    REQUIRE(a->commit(error));
    CHECK(mine.position + a->committed_base() == 2);
    CHECK(page.position == 2);
    CHECK(page.messages.size() == 2);
}

TEST_CASE("postgres: a batch rolled back takes no position, and the next batch continues densely") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    auto b = place.open_backend();
    std::string error;
    REQUIRE(a->begin(error));
    CHECK(a->post(make_message("fishing", "lost")).ok());
    a->rollback();
    CHECK(post_alone(*b, make_message("fishing", "kept")).position == 1);
    CHECK(post_alone(*a, make_message("fishing", "next")).position == 2);
    CHECK(place.query_int("SELECT count(*) FROM events") == 2);
}

TEST_CASE("postgres: a batch holds its channels to its commit, and the stream's head only in it") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    auto b = place.open_backend();
    auto c = place.open_backend();
    std::string error;
    REQUIRE(a->begin(error));
    a->will_post_to({"fishing"});
    const auto mine = a->post(make_message("fishing", "a"));
    REQUIRE(mine.ok());
    // B posts to another channel and commits first: it takes the next position.
    auto other = std::async(std::launch::async, [&b] { return post_alone(*b, make_message("boats", "b")); });
    REQUIRE(other.wait_for(10s) == std::future_status::ready);
    CHECK(other.get().position == 1);
    // C posts to A's channel: it waits for A's commit, and comes after it in every order.
    auto same = std::async(std::launch::async, [&c] { return post_alone(*c, make_message("fishing", "c")); });
    CHECK(same.wait_for(200ms) == std::future_status::timeout);
    REQUIRE(a->commit(error));
    CHECK(mine.position + a->committed_base() == 2);
    const auto after = same.get();
    CHECK(after.position == 3);
    CHECK(after.message.seq == 2);
    CHECK(after.message.id > mine.message.id);
    CHECK(place.query_int("SELECT position FROM stream_head") == 3);
}

TEST_CASE("postgres: batches of two servers that edit and post across channels in opposite orders all commit") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    auto b = place.open_backend();
    const auto first = post_alone(*a, make_message("alpha", "one")).message.id;
    const auto second = post_alone(*a, make_message("omega", "two")).message.id;
    // Each batch posts to both channels and edits the message of the other's first post:
    // without one order of locks (channels, then the stream, then messages) they would
    // wait on each other in a circle, and PostgreSQL would fail one of them.
    auto batch = [](batch_backend& s, std::string first_channel, std::string second_channel, message_id edited) {
        std::string error;
        if (!s.begin(error)) return error;
        s.will_post_to({"alpha", "omega"});
        if (auto r = s.post(make_message(first_channel, "x")); !r.ok()) return r.error;
        std::this_thread::sleep_for(50ms);  // the other batch takes its first channel meanwhile
        if (auto r = s.change(edit_of({edited, "edited", "a:ann", false, base_time + 1})); !r.ok()) return r.error;
        if (auto r = s.post(make_message(second_channel, "y")); !r.ok()) return r.error;
        return s.commit(error) ? std::string() : error;
    };
    auto left = std::async(std::launch::async, batch, std::ref(*a), "alpha", "omega", second);
    auto right = std::async(std::launch::async, batch, std::ref(*b), "omega", "alpha", first);
    CHECK(left.get() == "");
    CHECK(right.get() == "");
    CHECK(place.query_int("SELECT count(*) FROM messages") == 6);
    CHECK(place.query_int("SELECT position FROM stream_head") == 2 + 6);
}

TEST_CASE("postgres: upkeep prunes events older than they are kept") {
    postgres_place place;
    if (!place.available()) return;
    auto a = place.open_backend();
    post_alone(*a, make_message("fishing", "old"));
    post_alone(*a, make_message("fishing", "older"));
    const unix_ms now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    CHECK_FALSE(a->maintain(now).failed());
    CHECK(place.query_int("SELECT count(*) FROM events") == 2);  // young: kept
    const postgres_backend_options defaults;
    CHECK_FALSE(a->maintain(now + defaults.event_retention_ms + 60'000).failed());
    CHECK(place.query_int("SELECT count(*) FROM events") == 0);
    CHECK(place.query_int("SELECT position FROM stream_head") == 2);  // positions go on
    CHECK(post_alone(*a, make_message("fishing", "new")).position == 3);
}
