// WAL checkpoints off the commit path (issue 12, the W2 stall): the writer never runs
// SQLite's automatic checkpoint; a background thread does, and the writer checkpoints in
// upkeep, between batches, only when the WAL reaches its bound.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "store_test_support.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

constexpr std::uintmax_t page_frame = 4096 + 24;  // a WAL frame: a page and its header

std::uintmax_t wal_bytes(const std::filesystem::path& dir) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(dir / "parley.sqlite3-wal", ec);
    return ec ? 0 : size;
}

/// Frames in the WAL, as a checkpoint from a connection of the test's own reports them.
int wal_frames(const std::filesystem::path& dir) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "parley.sqlite3").c_str(), &db) == SQLITE_OK);
    int frames = -1;
    int backfilled = -1;
    sqlite3_exec(db, "PRAGMA journal_mode", nullptr, nullptr, nullptr);  // opens the WAL
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &backfilled);
    sqlite3_close(db);
    return frames;
}

/// Posts `count` messages, each in a transaction of its own (nonces from `first` on).
void post_many(sqlite_backend& b, int count, int first = 0) {
    for (int i = first; i < first + count; ++i)
        post_one(b, make_message("c" + std::to_string(i % 7), "m", std::to_string(i)));
}

}  // namespace

TEST_CASE("commits never checkpoint by themselves below the WAL bound") {
    temp_dir dir;
    sqlite_backend_options options;
    options.checkpoints.background_pages = 1 << 30;  // no background checkpoints either
    options.checkpoints.inline_pages = 1 << 30;
    auto b = open_backend(dir.path(), options);
    // SQLite's automatic checkpoint would restart the WAL each time it reached 1000 pages.
    post_many(*b, 400);
    CHECK(wal_frames(dir.path()) > 1500);
    CHECK(b->inline_checkpoints() == 0);
    CHECK(b->checkpoints().completed() == 0);
}

TEST_CASE("the background thread checkpoints once the WAL passes its threshold, and the WAL restarts") {
    temp_dir dir;
    sqlite_backend_options options;
    options.checkpoints.background_pages = 20;
    options.checkpoints.inline_pages = 1 << 30;
    auto b = open_backend(dir.path(), options);
    post_many(*b, 10);
    // The commits asked for a checkpoint by themselves (idle: every request was served).
    REQUIRE(b->checkpoints().wait_idle(std::chrono::seconds(10)));
    REQUIRE(b->checkpoints().completed() > 0);
    CHECK(b->inline_checkpoints() == 0);
    // Once one more has run after the last commit, everything is backfilled, and the next
    // commit restarts the WAL from its start.
    b->checkpoints().request();
    REQUIRE(b->checkpoints().wait_idle(std::chrono::seconds(10)));
    post_many(*b, 1, 10);
    CHECK(wal_frames(dir.path()) < 20);
}

TEST_CASE("a commit that takes the WAL past its bound leaves the checkpoint to upkeep") {
    temp_dir dir;
    sqlite_backend_options options;
    options.checkpoints.background_pages = 1 << 30;
    options.checkpoints.inline_pages = 32;
    auto b = open_backend(dir.path(), options);
    CHECK_FALSE(b->wants_maintenance());
    // A commit may run on an event loop (turn_end_commit), which must not wait for fsyncs.
    post_many(*b, 20);
    CHECK(b->wants_maintenance());
    CHECK(b->inline_checkpoints() == 0);
    CHECK(wal_frames(dir.path()) > 32);
    CHECK(b->maintain(0).ok());
    CHECK_FALSE(b->wants_maintenance());
    CHECK(b->inline_checkpoints() == 1);
}

TEST_CASE("the WAL stays bounded when background checkpoints cannot keep up") {
    temp_dir dir;
    sqlite_backend_options options;
    options.checkpoints.background_pages = 1 << 30;  // as if the background thread always fell behind
    options.checkpoints.inline_pages = 32;
    auto b = open_backend(dir.path(), options);
    // As the storage thread does: upkeep between batches when the backend wants it.
    for (int i = 0; i < 200; ++i) {
        post_many(*b, 1, i);
        if (b->wants_maintenance()) CHECK(b->maintain(0).ok());
    }
    CHECK_FALSE(b->wants_maintenance());
    CHECK(b->inline_checkpoints() > 0);
    // The bound plus the commit that crossed it (a post writes fewer than 16 pages).
    CHECK(wal_bytes(dir.path()) <= (32 + 16) * page_frame + 32);
    // And every message is there.
    CHECK(query_file(dir.path(), "SELECT count(*) FROM messages") == 200);
}
