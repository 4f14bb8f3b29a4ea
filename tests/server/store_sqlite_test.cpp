#include "store/sqlite_schema.hpp"
#include "store/sqlite_store.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <fstream>
#include <string>
#include <vector>

#include "store_test_support.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

std::unique_ptr<message_store> open_store(const std::filesystem::path& dir,
                                          const sqlite_store_options& options = {},
                                          server_metrics* metrics = nullptr) {
    std::string error;
    auto store = open_sqlite_store(dir, options, metrics, error);
    INFO(error);
    REQUIRE(store != nullptr);
    CHECK(error.empty());
    return store;
}

message_id post_ok(message_store& store, new_message m) {
    const auto r = post_sync(store, std::move(m));
    INFO(r.error);
    REQUIRE(r.outcome == store_outcome::ok);
    return r.message.id;
}

std::string query_file_text(const std::filesystem::path& dir, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "parley.sqlite3").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    std::string value(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

}  // namespace

TEST_CASE("opening a data directory under a regular file fails with an error naming it") {
    temp_dir dir;
    const auto file = dir.path() / "plain-file";
    std::ofstream(file) << "not a directory";
    std::string error;
    auto store = open_sqlite_store(file / "data", sync_mode::normal, nullptr, error);
    CHECK(store == nullptr);
    CHECK(error.find("plain-file") != std::string::npos);
}

TEST_CASE("opening a data directory that is a regular file fails with an error") {
    temp_dir dir;
    const auto file = dir.path() / "plain-file";
    std::ofstream(file) << "not a directory";
    std::string error;
    CHECK(open_sqlite_store(file, sync_mode::normal, nullptr, error) == nullptr);
    CHECK_FALSE(error.empty());
}

TEST_CASE("opening a file that is not a database fails with an error") {
    temp_dir dir;
    std::ofstream(dir.path() / "parley.sqlite3") << std::string(4096, 'x');
    std::string error;
    CHECK(open_sqlite_store(dir.path(), sync_mode::normal, nullptr, error) == nullptr);
    CHECK(error.find("parley.sqlite3") != std::string::npos);
    CHECK(error.find("not a database") != std::string::npos);
}

TEST_CASE("opening a database with a newer schema version fails with an error") {
    temp_dir dir;
    { auto store = open_store(dir.path()); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir.path() / "parley.sqlite3").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    std::string error;
    CHECK(open_sqlite_store(dir.path(), sync_mode::normal, nullptr, error) == nullptr);
    CHECK(error.find("newer") != std::string::npos);
}

TEST_CASE("open creates a missing data directory, a WAL database and the current schema version") {
    temp_dir dir;
    const auto nested = dir.path() / "a" / "b";
    { auto store = open_store(nested, {}); }
    CHECK(std::filesystem::exists(nested / "parley.sqlite3"));
    CHECK(query_file_text(nested, "PRAGMA journal_mode") == "wal");
    CHECK(query_file(nested, "PRAGMA user_version") == sqlite::schema_version);
}

TEST_CASE("history uses the channel index") {
    temp_dir dir;
    { auto store = open_store(dir.path()); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir.path() / "parley.sqlite3").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE channel = 'x' "
                               "AND deleted = 0 AND id < 10 ORDER BY id DESC LIMIT 5",
                               -1, &stmt, nullptr) == SQLITE_OK);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    INFO(plan);
    CHECK(plan.find("messages_by_channel") != std::string::npos);
    CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // no sort: the index gives the order
}

TEST_CASE("a store opened with sync full stores and keeps messages") {
    temp_dir dir;
    sqlite_store_options options;
    options.backend.sync = sync_mode::full;
    message_id id = 0;
    {
        auto store = open_store(dir.path(), options);
        id = post_ok(*store, make_message("fishing", "durable"));
    }
    auto store = open_store(dir.path(), options);
    CHECK(ids_of(history_sync(*store, history_query::latest("fishing", 5))) == std::vector<message_id>{id});
}
