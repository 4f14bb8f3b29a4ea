#pragma once
// `parley-server admin ...`: create, list and remove accounts, list and lift bans, and
// print the audit log, on the data directory.
// Meant for when the server is stopped; a running server sees new accounts at their
// first login and removed ones at its next start.

#include "app/config.hpp"

namespace parley::server {

/// Runs the command, printing to stdout/stderr; returns the process exit code.
int run_admin(const admin_command& command);

}  // namespace parley::server
