#pragma once
// The PostgreSQL schema (messages; since version 2 the account tables; since 3 the event
// stream between servers) and its migrations: versioned, idempotent, safe to run from
// several servers at once (the first takes an advisory lock, the others wait and find
// nothing left to do).

#include <string>

#include "store/postgres_handle.hpp"

namespace parley::server::pg {

/// The schema version this server writes.
inline constexpr int schema_version = 3;

/// Brings the schema in the connection's first search_path schema to schema_version.
/// False with `error` set (e.g. the database's schema is newer than this server's).
bool migrate(connection& db, std::string& error);

}  // namespace parley::server::pg
