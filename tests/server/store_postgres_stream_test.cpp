// The event stream's reader (postgres_stream) against a real database: it delivers every
// committed event once, in order, while commits race its reads, and it tells a gap (events
// pruned before it read them) from a commit that landed meanwhile. Control notices come
// from their log the same way, once each, and still reach servers older than the log.
#include "store/postgres_store.hpp"
#include "store/postgres_stream.hpp"

#include <libpq-fe.h>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/postgres_control.hpp"
#include "store/postgres_handle.hpp"
#include "store/postgres_schema.hpp"
#include "store_test_support.hpp"
#include "support/eventually.hpp"
#include "support/store_places.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;
using namespace std::chrono_literals;
using parley::test::eventually;

/// What a stream delivered, from its threads.
struct delivered_log {
    std::mutex mutex;
    std::vector<std::int64_t> positions;
    void add(std::int64_t p) {
        std::lock_guard lock(mutex);
        positions.push_back(p);
    }
    std::vector<std::int64_t> snapshot() {
        std::lock_guard lock(mutex);
        return positions;
    }
};

/// A stream reader on `place`'s schema, named `origin` (its tables made by a backend first).
std::unique_ptr<postgres_stream> open_stream(const postgres_place& place, const char* origin, server_metrics& metrics) {
    postgres_stream_options options;
    options.conninfo = place.conninfo();
    options.origin = origin;
    std::string error;
    auto stream = postgres_stream::open(options, metrics, error);
    INFO(error);
    REQUIRE(stream);
    return stream;
}

/// The wall clock, as upkeep is given it.
unix_ms wall_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// A time past which upkeep prunes everything now in the events and the control log.
unix_ms past_retention_ms() {
    return wall_now_ms() + postgres_backend_options{}.event_retention_ms + 60'000;
}

/// The control notices a stream applied, as "kind first-argument", from its reader thread.
struct heard_notices {
    std::mutex mutex;
    std::vector<std::string> heard;
    std::function<void(const control_notice&)> recorder() {
        return [this](const control_notice& n) {
            std::lock_guard lock(mutex);
            heard.push_back(n.kind + " " + n.args.at(0));
        };
    }
    std::size_t count() {
        std::lock_guard lock(mutex);
        return heard.size();
    }
};

/// Two servers' streams on `place` (its tables made already): "sender" and "reader",
/// whose applied control notices `notices` records. Neither started.
struct sender_and_reader {
    server_metrics metrics;
    std::unique_ptr<postgres_stream> sender, reader;
    heard_notices notices;
    explicit sender_and_reader(const postgres_place& place)
        : sender(open_stream(place, "sender", metrics)), reader(open_stream(place, "reader", metrics)) {
        for (auto* s : {sender.get(), reader.get()}) s->subscribe([](const channel_event&) {});
        reader->on_control(notices.recorder());
    }
};

void commit_post(batch_backend& b, const std::string& text) {
    std::string error;
    REQUIRE(b.begin(error));
    REQUIRE(b.post(make_message("fishing", text)).ok());
    REQUIRE(b.commit(error));
}

}  // namespace

TEST_CASE("postgres stream: every event another server commits is delivered once, in order, however the reads race") {
    postgres_place place;
    if (!place.available()) return;
    auto writer = place.open_backend();  // another server: its events are not ours
    server_metrics metrics;
    auto stream = open_stream(place, "reader", metrics);
    delivered_log log;
    std::atomic<int> lost{0};
    stream->subscribe([&](const channel_event& e) {
        if (e.position != 0) log.add(e.position);
    });
    stream->on_events_lost([&] { ++lost; });
    stream->start();
    // Typing notices wake the reader over and over, so that most of its reads find nothing
    // new and some of them race a commit.
    std::atomic<bool> writing{true};
    std::thread waker([&] {
        while (writing.load()) {
            channel_event typing;
            typing.channel = "fishing";
            typing.payload = "{}";
            stream->publish(std::move(typing));
            std::this_thread::sleep_for(50us);
        }
    });
    constexpr int total = 1000;
    for (int i = 0; i < total; ++i) commit_post(*writer, "m" + std::to_string(i));  // one commit each
    writing.store(false);
    waker.join();
    REQUIRE(eventually([&] { return log.snapshot().size() == total; }));
    const auto positions = log.snapshot();
    for (int i = 0; i < total; ++i) CHECK(positions[static_cast<std::size_t>(i)] == i + 1);
    CHECK(lost == 0);
    CHECK(metrics.stream_events_lost.load() == 0);
    CHECK(stream->delivered() == total);
    stream->stop();
}

TEST_CASE("postgres stream: events pruned before the reader read them are reported, and it goes on after them") {
    postgres_place place;
    if (!place.available()) return;
    auto writer = place.open_backend();
    server_metrics metrics;
    auto stream = open_stream(place, "reader", metrics);
    // Three events committed and pruned before the reader starts reading.
    for (int i = 0; i < 3; ++i) commit_post(*writer, "gone");
    REQUIRE_FALSE(writer->maintain(past_retention_ms()).failed());
    REQUIRE(place.query_int("SELECT count(*) FROM events") == 0);
    delivered_log log;
    std::atomic<int> lost{0};
    stream->subscribe([&](const channel_event& e) { log.add(e.position); });
    stream->on_events_lost([&] { ++lost; });
    stream->start();
    REQUIRE(eventually([&] { return lost.load() == 1; }));
    CHECK(metrics.stream_events_lost.load() == 3);
    commit_post(*writer, "after");
    REQUIRE(eventually([&] { return log.snapshot().size() == 1; }));
    CHECK(log.snapshot()[0] == 4);
    stream->stop();
}

TEST_CASE("postgres stream: deployments in two schemas of one database do not hear each other") {
    postgres_place first, second;
    if (!first.available()) return;
    auto schema_one = first.open_backend();  // creates the tables
    auto schema_two = second.open_backend();
    server_metrics metrics;
    auto sender = open_stream(first, "sender", metrics);
    auto neighbour = open_stream(first, "neighbour", metrics);  // the same deployment: hears it
    auto stranger = open_stream(second, "stranger", metrics);   // another deployment: must not
    std::atomic<int> heard_by_neighbour{0}, heard_by_stranger{0};
    for (auto* s : {sender.get(), neighbour.get(), stranger.get()}) s->subscribe([](const channel_event&) {});
    neighbour->on_control([&](const control_notice& n) {
        if (n.kind == "ban") ++heard_by_neighbour;
    });
    stranger->on_control([&](const control_notice& n) {
        if (n.kind == "ban") ++heard_by_stranger;
    });
    for (auto* s : {sender.get(), neighbour.get(), stranger.get()}) s->start();
    sender->send_control({"ban", {"bob", "0", "127.0.0.1"}});
    REQUIRE(eventually([&] { return heard_by_neighbour.load() == 1; }));
    std::this_thread::sleep_for(300ms);  // what the stranger would have heard by now
    CHECK(heard_by_stranger.load() == 0);
    for (auto* s : {sender.get(), neighbour.get(), stranger.get()}) s->stop();
}

TEST_CASE("postgres stream: control notices sent while a reader was not reading reach it from the log, in order, once") {
    postgres_place place;
    if (!place.available()) return;
    auto tables = place.open_backend();  // creates the tables
    server_metrics metrics;
    auto sender = open_stream(place, "sender", metrics);
    auto reader = open_stream(place, "reader", metrics);  // its place in the log: now
    std::mutex mutex;
    std::vector<std::string> heard;
    for (auto* s : {sender.get(), reader.get()}) s->subscribe([](const channel_event&) {});
    reader->on_control([&](const control_notice& n) {
        std::lock_guard lock(mutex);
        heard.push_back(n.kind + " " + n.args.at(0));
    });
    sender->start();
    // Sent while the reader reads nothing: a notification alone would be gone by the time
    // it looks; the rows are not.
    for (const char* who : {"ann", "bob", "cat"}) sender->send_control({"kick", {who, "general"}});
    REQUIRE(eventually([&] { return place.query_int("SELECT count(*) FROM control_log") == 3; }));
    reader->start();
    reader->send_control({"kick", {"own", "general"}});  // its own: applied where it was made
    REQUIRE(eventually([&] {
        std::lock_guard lock(mutex);
        return heard.size() == 3;
    }));
    std::this_thread::sleep_for(300ms);  // nothing more comes: not its own, not twice
    CHECK(place.query_int("SELECT count(*) FROM control_log") == 4);
    reader->stop();
    sender->stop();
    CHECK(heard == std::vector<std::string>{"kick ann", "kick bob", "kick cat"});
}

TEST_CASE("postgres stream: a control notice in the log twice (sent again after a lost answer) is applied once") {
    postgres_place place;
    if (!place.available()) return;
    auto tables = place.open_backend();  // creates the tables
    sender_and_reader servers(place);
    auto& [metrics, sender, reader, notices] = servers;
    sender->start();
    reader->start();
    sender->send_control({"login_failed", {"ann", "127.0.0.1", "1"}});
    REQUIRE(eventually([&] { return notices.count() == 1; }));
    // What the sender's resend appends when its first append committed but the answer was
    // lost: the same row at the next position.
    CHECK(place.query_int("WITH head AS (UPDATE control_head SET position = position + 1 RETURNING position), "
                          "copy AS (INSERT INTO control_log (position, payload) SELECT head.position, "
                          "(SELECT payload FROM control_log ORDER BY position DESC LIMIT 1) FROM head "
                          "RETURNING position) SELECT count(*) FROM copy") == 1);
    sender->send_control({"login_failed", {"bob", "127.0.0.1", "2"}});
    REQUIRE(eventually([&] { return notices.count() == 2; }));
    std::this_thread::sleep_for(300ms);  // the copy, read between them, was skipped
    reader->stop();
    sender->stop();
    CHECK(notices.heard == std::vector<std::string>{"login_failed ann", "login_failed bob"});
}

TEST_CASE("postgres stream: beside a server older than the control log, each applies the other's notices") {
    postgres_place place;
    if (!place.available()) return;
    auto tables = place.open_backend();  // creates the tables
    sender_and_reader servers(place);
    auto& [metrics, sender, reader, notices] = servers;
    // The older server: it listens on the control channel and reads notices from payloads.
    std::string error;
    auto old_server = pg::connection::open(place.conninfo(), error);
    REQUIRE(old_server);
    const std::string channel = pg::notification_prefix(*old_server, error) + pg::control_channel;
    REQUIRE(old_server->exec(("LISTEN " + channel).c_str()).ok());
    sender->start();
    reader->start();

    sender->send_control({"kick", {"ann", "general"}});
    std::vector<std::string> fields;
    REQUIRE(eventually([&] {
        if (PQconsumeInput(old_server->get()) == 0) return false;
        PGnotify* n = PQnotifies(old_server->get());
        if (n == nullptr) return false;
        fields = pg::payload_fields(n->extra);  // as a schema-4 server read a payload
        PQfreemem(n);
        return true;
    }));
    REQUIRE(fields.size() == 4);
    CHECK(fields[0] != "sender");  // never taken for its own origin
    CHECK(fields[1] == "kick");
    CHECK(fields[2] == "ann");

    // The reader applies "kick ann" from the log, in its own time: wait for it, so that
    // the older server's notice, applied from its payload at once, comes second.
    REQUIRE(eventually([&] { return notices.count() == 1; }));

    // What the older server sends: the notice in the payload, nothing in the log.
    const std::int64_t rows = place.query_int("SELECT count(*) FROM control_log");
    REQUIRE(old_server->exec(("SELECT pg_notify('" + channel + "', E'c3d4\\nkick\\nbob\\ngeneral')").c_str()).ok());
    REQUIRE(eventually([&] { return notices.count() == 2; }));
    CHECK(place.query_int("SELECT count(*) FROM control_log") == rows);
    reader->stop();
    sender->stop();
    CHECK(notices.heard == std::vector<std::string>{"kick ann", "kick bob"});
}

TEST_CASE("postgres stream: upkeep prunes control notices as old as the events it prunes") {
    postgres_place place;
    if (!place.available()) return;
    auto backend = place.open_backend();
    server_metrics metrics;
    auto sender = open_stream(place, "sender", metrics);
    sender->subscribe([](const channel_event&) {});
    sender->start();
    sender->send_control({"kick", {"ann", "general"}});
    REQUIRE(eventually([&] { return place.query_int("SELECT count(*) FROM control_log") == 1; }));
    REQUIRE_FALSE(backend->maintain(wall_now_ms()).failed());
    CHECK(place.query_int("SELECT count(*) FROM control_log") == 1);  // young: kept
    REQUIRE_FALSE(backend->maintain(past_retention_ms()).failed());
    CHECK(place.query_int("SELECT count(*) FROM control_log") == 0);
    sender->stop();
}
