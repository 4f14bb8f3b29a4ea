#pragma once
// Connection settings and the schema of parley.sqlite3, versioned by PRAGMA user_version.

#include <string>

#include "store/sqlite_handle.hpp"
#include "store/store.hpp"

namespace parley::server::sqlite {

/// The schema version this server writes; a newer file is refused, an older one migrated.
inline constexpr int schema_version = 4;

/// Sets WAL, the sync mode, the busy timeout and the WAL size limit on `db`.
/// False with `error` set, e.g. when the file is not a database.
bool configure(connection& db, sync_mode sync, std::string& error);

/// Creates or upgrades the schema to schema_version inside one transaction.
bool migrate(connection& db, std::string& error);

}  // namespace parley::server::sqlite
