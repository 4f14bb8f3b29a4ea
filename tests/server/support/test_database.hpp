#pragma once
// Which database an integration test's server keeps its state in. By default SQLite under
// the test's data directory. When PARLEY_TEST_SERVER_POSTGRES names a PostgreSQL cluster
// (ctest's *_postgres entries set it, around the cluster fixture), each data directory
// maps to a schema of its own there, so that the same suites run on PostgreSQL unchanged:
// a restart on the same data directory finds the same schema.

#include <filesystem>
#include <memory>
#include <string>

#include "accounts/account_db.hpp"

namespace parley::test {

/// The connection string a server on `data` uses (its schema made if missing), or "" for
/// SQLite.
std::string test_postgres_for(const std::filesystem::path& data);

/// The account tables of the server on `data`, opened beside it (seeding, checking).
std::unique_ptr<server::accounts::account_db> open_test_accounts(const std::filesystem::path& data);

}  // namespace parley::test
