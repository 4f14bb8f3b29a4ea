#pragma once
// The default message store: SQLite under the data directory, one storage thread,
// group commit. The only header the rest of the server needs to open it.

#include <filesystem>
#include <memory>
#include <string>

#include "metrics/metrics.hpp"
#include "store/batching_store.hpp"
#include "store/bounded_job_queue.hpp"
#include "store/sqlite_backend.hpp"
#include "store/store.hpp"

namespace parley::server {

/// Everything tunable about the SQLite store; the defaults are the server's.
struct sqlite_store_options {
    sqlite_backend_options backend{};
    job_queue_limits queue{};
    maintenance_options maintenance{};
    /// Used with `sync_mode::normal` only, whose commit does not wait for the disk.
    turn_end_commit caller_commit{};
};

/// Opens (creating if missing) `<data_dir>/parley.sqlite3` and starts its storage thread.
/// Returns null with `error` set to a readable reason (bad or unwritable directory, not a
/// database, newer schema); never throws for those. `metrics` may be null; it must outlive
/// the store. Call from any thread, typically at start-up.
std::unique_ptr<message_store> open_sqlite_store(const std::filesystem::path& data_dir,
                                                 const sqlite_store_options& options, server_metrics* metrics,
                                                 std::string& error);

/// The same with default options but `sync`.
std::unique_ptr<message_store> open_sqlite_store(const std::filesystem::path& data_dir, sync_mode sync,
                                                 server_metrics* metrics, std::string& error);

}  // namespace parley::server
