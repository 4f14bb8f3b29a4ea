#include "test_database.hpp"

#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace parley::test {

std::string test_postgres_for(const std::filesystem::path& data) {
    const char* base = std::getenv("PARLEY_TEST_SERVER_POSTGRES");
    if (!base || !*base) return "";
    char schema[32];
    std::snprintf(schema, sizeof schema, "it_%016zx",
                  std::hash<std::string>{}(std::filesystem::absolute(data).lexically_normal().string()));
    PGconn* conn = PQconnectdb(base);
    INFO(PQerrorMessage(conn));
    REQUIRE(PQstatus(conn) == CONNECTION_OK);
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "already exists, skipping"
    PGresult* r = PQexec(conn, (std::string("CREATE SCHEMA IF NOT EXISTS ") + schema).c_str());
    const bool made = PQresultStatus(r) == PGRES_COMMAND_OK;
    INFO(PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(conn);
    REQUIRE(made);
    return std::string(base) + " options='-c search_path=" + schema + "'";
}

std::unique_ptr<server::accounts::account_db> open_test_accounts(const std::filesystem::path& data) {
    std::string error;
    const auto postgres = test_postgres_for(data);
    auto db = postgres.empty() ? server::accounts::account_db::open(data, error)
                               : server::accounts::account_db::open_postgres(postgres, error);
    INFO(error);
    REQUIRE(db != nullptr);
    return db;
}

}  // namespace parley::test
