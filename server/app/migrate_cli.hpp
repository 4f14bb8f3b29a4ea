#pragma once
// `parley-server migrate --data DIR --postgres CONNINFO`: copies a SQLite deployment
// (messages with their ids, positions and nonces, channels, accounts, tokens, bans, the
// audit log) into an empty PostgreSQL database, in one transaction. Run with the server
// stopped; afterwards start it (or several) with --postgres.

#include "app/config.hpp"

namespace parley::server {

/// Runs the migration, printing what it copied to stdout or why it refused to stderr;
/// returns the process exit code (0 done, 1 refused or failed; nothing is kept then).
int run_migrate(const migrate_command& command);

}  // namespace parley::server
