#pragma once
// Where a store test keeps its data, one type per database, so that one test body runs
// against SQLite and against PostgreSQL (TEST_CASE_TEMPLATE over STORE_PLACES):
// - sqlite_place: a fresh temporary data directory;
// - postgres_place: a fresh schema in the test cluster named by PARLEY_TEST_POSTGRES
//   (a libpq key=value string; ctest sets it from the cluster its fixture starts, see
//   tests/postgres/cluster.sh). Without it a postgres_place fails its test, so a run
//   that silently tested SQLite alone cannot pass; PARLEY_TEST_POSTGRES=off skips them.
// Opening a place twice opens the same data again (a restart).

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "accounts/account_db.hpp"
#include "store/batch_backend.hpp"
#include "store/batching_store.hpp"
#include "store/bounded_job_queue.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace parley::server::test {

/// What a test may tune, whatever the database.
struct store_setup {
    upkeep_policy upkeep{};
    job_queue_limits queue{};
    maintenance_options maintenance{};
    server_metrics* metrics = nullptr;
};

class sqlite_place {
public:
    static constexpr const char* name = "sqlite";
    bool available() const { return true; }
    /// The store with its storage thread; REQUIREs that it opens.
    std::unique_ptr<message_store> open(const store_setup& setup = {});
    /// The backend alone (no storage thread), for tests that drive it step by step.
    std::unique_ptr<batch_backend> open_backend(const upkeep_policy& upkeep = {});
    /// The account tables in the same database.
    std::unique_ptr<accounts::account_db> open_accounts();
    /// The first column of every row `sql` returns, as text, read beside the store.
    std::vector<std::string> query(const char* sql);
    std::int64_t query_int(const char* sql);

    const std::filesystem::path& dir() const { return dir_.path(); }

private:
    parley::test::temp_dir dir_;
};

class postgres_place {
public:
    static constexpr const char* name = "postgres";
    postgres_place();
    ~postgres_place();
    postgres_place(const postgres_place&) = delete;
    postgres_place& operator=(const postgres_place&) = delete;

    /// False when PARLEY_TEST_POSTGRES=off (the test then checks nothing).
    bool available() const { return !conninfo_.empty(); }
    std::unique_ptr<message_store> open(const store_setup& setup = {});
    std::unique_ptr<batch_backend> open_backend(const upkeep_policy& upkeep = {});
    std::unique_ptr<accounts::account_db> open_accounts();
    std::vector<std::string> query(const char* sql);
    std::int64_t query_int(const char* sql);

    /// The connection string of this place (its schema first on the search path).
    const std::string& conninfo() const { return conninfo_; }

private:
    std::string base_;      // the cluster's, from PARLEY_TEST_POSTGRES
    std::string schema_;    // this place's own
    std::string conninfo_;  // base_ with the schema on the search path
};

}  // namespace parley::server::test

// The places every store test runs in.
#define STORE_PLACES parley::server::test::sqlite_place, parley::server::test::postgres_place

TYPE_TO_STRING(parley::server::test::sqlite_place);
TYPE_TO_STRING(parley::server::test::postgres_place);
