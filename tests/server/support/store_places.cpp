#include "store_places.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "store/postgres_backend.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_backend.hpp"
#include "store/sqlite_store.hpp"

namespace parley::server::test {

namespace {

template <class Pointer>
Pointer required(Pointer opened, const std::string& error) {
    INFO(error);
    REQUIRE(opened != nullptr);
    return opened;
}

std::int64_t as_int(const std::vector<std::string>& rows) {
    REQUIRE(rows.size() == 1);
    return std::stoll(rows[0]);
}

/// Runs `sql` on a connection of its own; the first column of every row, as text
/// (NULL as "").
std::vector<std::string> pg_query(const std::string& conninfo, const char* sql) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    INFO(PQerrorMessage(conn));
    REQUIRE(PQstatus(conn) == CONNECTION_OK);
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "drop cascades to ..."
    PGresult* r = PQexec(conn, sql);
    const auto status = PQresultStatus(r);
    INFO(sql, ": ", PQresultErrorMessage(r));
    const bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
    std::vector<std::string> rows;
    if (status == PGRES_TUPLES_OK)
        for (int i = 0; i < PQntuples(r); ++i) rows.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    PQfinish(conn);
    REQUIRE(ok);
    return rows;
}

}  // namespace

std::unique_ptr<message_store> sqlite_place::open(const store_setup& setup) {
    sqlite_store_options options;
    static_cast<upkeep_policy&>(options.backend) = setup.upkeep;
    options.queue = setup.queue;
    options.maintenance = setup.maintenance;
    std::string error;
    return required(open_sqlite_store(dir(), options, setup.metrics, error), error);
}

std::unique_ptr<batch_backend> sqlite_place::open_backend(const upkeep_policy& upkeep) {
    sqlite_backend_options options;
    static_cast<upkeep_policy&>(options) = upkeep;
    std::string error;
    return required(sqlite_backend::open(dir(), options, error), error);
}

std::unique_ptr<accounts::account_db> sqlite_place::open_accounts() {
    std::string error;
    return required(accounts::account_db::open(dir(), error), error);
}

std::vector<std::string> sqlite_place::query(const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir() / sqlite_backend::file_name).c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    INFO(sql, ": ", sqlite3_errmsg(db));
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
    std::vector<std::string> rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(stmt, 0);
        rows.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

std::int64_t sqlite_place::query_int(const char* sql) { return as_int(query(sql)); }

postgres_place::postgres_place() {
    const char* from_env = std::getenv("PARLEY_TEST_POSTGRES");
    if (from_env && std::string(from_env) == "off") return;
    INFO("PARLEY_TEST_POSTGRES is not set: run the tests through ctest (its fixture starts a "
         "PostgreSQL cluster), or set it to a libpq connection string, or to off");
    REQUIRE((from_env && *from_env));
    base_ = from_env;
    static std::atomic<int> made{0};
    schema_ = "test_" + std::to_string(::getpid()) + "_" + std::to_string(made++);
    pg_query(base_, ("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_).c_str());
    conninfo_ = base_ + " application_name=" + schema_ + " options='-c search_path=" + schema_ + "'";
}

postgres_place::~postgres_place() {
    if (schema_.empty()) return;
    // Not through REQUIRE: a destructor must not throw, and a schema left behind is only
    // litter in a cluster that is removed at the end of the run.
    PGconn* conn = PQconnectdb(base_.c_str());
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    if (PQstatus(conn) == CONNECTION_OK) PQclear(PQexec(conn, ("DROP SCHEMA " + schema_ + " CASCADE").c_str()));
    PQfinish(conn);
}

std::unique_ptr<message_store> postgres_place::open(const store_setup& setup) {
    postgres_store_options options;
    static_cast<upkeep_policy&>(options.backend) = setup.upkeep;
    options.backend.conninfo = conninfo_;
    options.queue = setup.queue;
    options.maintenance = setup.maintenance;
    std::string error;
    return required(open_postgres_store(options, setup.metrics, error), error);
}

std::unique_ptr<batch_backend> postgres_place::open_backend(const upkeep_policy& upkeep) {
    postgres_backend_options options;
    static_cast<upkeep_policy&>(options) = upkeep;
    options.conninfo = conninfo_;
    std::string error;
    return required(postgres_backend::open(options, error), error);
}

std::unique_ptr<accounts::account_db> postgres_place::open_accounts() {
    std::string error;
    return required(accounts::account_db::open_postgres(conninfo_, error), error);
}

std::vector<std::string> postgres_place::query(const char* sql) { return pg_query(conninfo_, sql); }

std::int64_t postgres_place::query_int(const char* sql) { return as_int(query(sql)); }

}  // namespace parley::server::test
