// Stream positions (issue 12): every stored message gets `seq`, 1, 2, 3, ... per
// channel in commit order, with no gaps across batches, rolled-back batches, restarts,
// pruning (on every backend) and the migration of a version 2 SQLite database.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite_schema.hpp"
#include "store_test_support.hpp"
#include "support/store_places.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

constexpr std::int64_t day_ms = 24LL * 60 * 60 * 1000;

/// The positions of a channel's live messages, oldest first.
std::vector<std::int64_t> seqs_of(message_store& store, const std::string& channel) {
    const auto page = history_sync(store, history_query::latest(channel, 100));
    REQUIRE(page.ok());
    std::vector<std::int64_t> seqs;
    for (const auto& m : page.messages) seqs.push_back(m.seq);
    return seqs;
}

std::vector<std::int64_t> one_to(std::int64_t n) {
    std::vector<std::int64_t> v;
    for (std::int64_t i = 1; i <= n; ++i) v.push_back(i);
    return v;
}

/// Posts `m` to a bare backend in its own transaction; returns its position.
std::int64_t post_seq(batch_backend& b, const new_message& m) {
    std::string error;
    REQUIRE(b.begin(error));
    const auto r = b.post(m);
    REQUIRE(r.ok());
    REQUIRE(b.commit(error));
    return r.message.seq;
}

}  // namespace

TEST_CASE_TEMPLATE("stream positions are dense per channel across batches, in post results and history", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    std::vector<std::int64_t> fishing, boats;
    for (int batch = 0; batch < 3; ++batch) {
        // Hold the storage thread so that each round of posts is one batch of several.
        std::vector<std::future<post_result>> results;
        {
            storage_blocker hold(*store);
            for (int i = 0; i < 4; ++i) {
                const std::string channel = i % 2 == 0 ? "fishing" : "boats";
                auto promise = std::make_shared<std::promise<post_result>>();
                results.push_back(promise->get_future());
                store->post(make_message(channel, "m"), [promise](post_result r) { promise->set_value(r); });
            }
        }
        for (auto& f : results) {
            const auto r = f.get();
            REQUIRE(r.ok());
            (r.message.channel == "fishing" ? fishing : boats).push_back(r.message.seq);
        }
    }
    CHECK(fishing == one_to(6));
    CHECK(boats == one_to(6));
    CHECK(seqs_of(*store, "fishing") == one_to(6));
    CHECK(seqs_of(*store, "boats") == one_to(6));
}

TEST_CASE_TEMPLATE("a rolled-back batch leaves no gap in the stream positions", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto b = place.open_backend();
    CHECK(post_seq(*b, make_message("fishing", "a")) == 1);
    std::string error;
    REQUIRE(b->begin(error));
    REQUIRE(b->post(make_message("fishing", "lost")).message.seq == 2);
    REQUIRE(b->post(make_message("fishing", "lost too")).message.seq == 3);
    REQUIRE(b->post(make_message("boats", "lost")).message.seq == 1);
    b->rollback();
    CHECK(post_seq(*b, make_message("fishing", "b")) == 2);
    CHECK(post_seq(*b, make_message("boats", "b")) == 1);
}

TEST_CASE_TEMPLATE("stream positions continue after a reopen", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    {
        auto store = place.open();
        for (int i = 0; i < 3; ++i) REQUIRE(post_sync(*store, make_message("fishing", "m")).ok());
    }
    auto store = place.open();
    CHECK(post_sync(*store, make_message("fishing", "after")).message.seq == 4);
    CHECK(post_sync(*store, make_message("boats", "first")).message.seq == 1);
    CHECK(seqs_of(*store, "fishing") == one_to(4));
}

TEST_CASE_TEMPLATE("a resend answers the earlier message with its position", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    REQUIRE(post_sync(*store, make_message("fishing", "a")).ok());
    REQUIRE(post_sync(*store, make_message("fishing", "b", "k1")).message.seq == 2);
    const auto again = post_sync(*store, make_message("fishing", "b", "k1"));
    REQUIRE(again.outcome == store_outcome::duplicate);
    CHECK(again.message.seq == 2);
    CHECK(post_sync(*store, make_message("fishing", "c")).message.seq == 3);
}

TEST_CASE_TEMPLATE("pruning never renumbers, and an emptied channel continues after its last position", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    upkeep_policy options;
    options.retention_ms = day_ms;
    {
        auto b = place.open_backend(options);
        for (int i = 0; i < 3; ++i) post_seq(*b, make_message("old", "m", std::nullopt, "a:ann", base_time));
        for (int i = 0; i < 3; ++i)
            post_seq(*b, make_message("mixed", "m", std::nullopt, "a:ann", base_time));
        post_seq(*b, make_message("mixed", "young", std::nullopt, "a:ann", base_time + 2 * day_ms));
        REQUIRE(b->maintain(base_time + 2 * day_ms).ok());
        // The young message keeps its position; the emptied channel is gone from the list.
        const auto mixed = b->history(history_query::latest("mixed", 10));
        REQUIRE(mixed.messages.size() == 1);
        CHECK(mixed.messages[0].seq == 4);
        CHECK(b->channels().names == std::vector<std::string>{"mixed"});
        CHECK(post_seq(*b, make_message("old", "back", std::nullopt, "a:ann", base_time + 2 * day_ms)) == 4);
        CHECK(post_seq(*b, make_message("mixed", "next", std::nullopt, "a:ann", base_time + 2 * day_ms)) ==
              5);
    }
    // The emptied channel's position survives a restart too.
    {
        auto b = place.open_backend(options);
        REQUIRE(b->maintain(base_time + 5 * day_ms).ok());
        CHECK(b->channels().names.empty());
    }
    auto b = place.open_backend(options);
    CHECK(post_seq(*b, make_message("old", "again", std::nullopt, "a:ann", base_time + 5 * day_ms)) == 5);
    CHECK(post_seq(*b, make_message("mixed", "again", std::nullopt, "a:ann", base_time + 5 * day_ms)) == 6);
}

TEST_CASE("migration 2 to 3 numbers existing messages per channel in id order") {
    temp_dir dir;
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open((dir.path() / "parley.sqlite3").c_str(), &db) == SQLITE_OK);
        // The schema as version 2 left it, with two channels interleaved and a deleted row.
        const char* v2 = R"sql(
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, user_name TEXT NOT NULL,
    body TEXT NOT NULL, posted_at INTEGER NOT NULL, owner TEXT NOT NULL, edited_at INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX messages_by_channel ON messages (channel, id);
CREATE TABLE channels (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE nonces (
    scope TEXT NOT NULL, channel TEXT NOT NULL, nonce TEXT NOT NULL,
    message_id INTEGER NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, channel, nonce)) WITHOUT ROWID;
CREATE INDEX nonces_by_age ON nonces (created_at);
CREATE INDEX nonces_by_message ON nonces (message_id);
INSERT INTO channels VALUES ('a'), ('b');
INSERT INTO messages (id, channel, user_name, body, posted_at, owner, deleted) VALUES
  (3, 'a', 'ann', 'a1', 10, 'a:1', 0), (5, 'b', 'ann', 'b1', 11, 'a:1', 0),
  (8, 'a', 'ann', '', 12, 'a:1', 1), (9, 'a', 'ann', 'a3', 13, 'a:1', 0), (12, 'b', 'ann', 'b2', 14, 'a:1', 0);
PRAGMA user_version = 2;
)sql";
        REQUIRE(sqlite3_exec(db, v2, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    {
        auto b = open_backend(dir.path());
        // Row 8 is deleted but keeps its position: history skips it, leaving a visible hole
        // that is a deletion, not a lost message.
        const auto a = b->history(history_query::latest("a", 10));
        REQUIRE(a.messages.size() == 2);
        CHECK(a.messages[0].seq == 1);
        CHECK(a.messages[1].seq == 3);
        CHECK(query_file(dir.path(), "SELECT seq FROM messages WHERE id = 8") == 2);
        CHECK(query_file(dir.path(), "SELECT group_concat(seq) = '1,2' FROM messages WHERE channel = 'b'") ==
              1);
        CHECK(post_seq(*b, make_message("a", "a4")) == 4);
        CHECK(post_seq(*b, make_message("b", "b3")) == 3);
    }
    CHECK(query_file(dir.path(), "PRAGMA user_version") == sqlite::schema_version);
}
