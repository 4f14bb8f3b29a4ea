#pragma once
// The PostgreSQL schema (messages; since version 2 the account tables; since 3 the event
// stream between servers) and its migrations: versioned, idempotent, safe to run from
// several servers at once (the first takes an advisory lock, the others wait and find
// nothing left to do).

#include <string>

#include "store/postgres_handle.hpp"

namespace parley::server::pg {

/// The schema version this server writes.
inline constexpr int schema_version = 5;

/// The prefix of this deployment's notification channels ("parley_<schema oid>_"): LISTEN
/// and NOTIFY are per database, not per schema, so deployments sharing a database in
/// different schemas must not hear each other. Empty with `error` set on failure.
std::string notification_prefix(connection& db, std::string& error);

/// Brings the schema in the connection's first search_path schema to schema_version.
/// False with `error` set (e.g. the database's schema is newer than this server's).
bool migrate(connection& db, std::string& error);

}  // namespace parley::server::pg
