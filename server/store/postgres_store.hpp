#pragma once
// The message store on PostgreSQL: the same storage thread and group commit as SQLite's
// (batching_store), with postgres_backend under it. The only header the rest of the
// server needs to open it.

#include <cstdint>
#include <memory>
#include <string>

#include "metrics/metrics.hpp"
#include "store/batch_backend.hpp"
#include "store/batching_store.hpp"
#include "store/bounded_job_queue.hpp"
#include "store/store.hpp"

namespace parley::server {

/// Tunables of the PostgreSQL backend: where the database is, and the upkeep policy.
struct postgres_backend_options : upkeep_policy {
    /// A libpq connection string or postgresql:// URI (--postgres, PARLEY_POSTGRES). The
    /// tables live in the first schema of the connection's search_path.
    std::string conninfo;
    /// This server's name in the event stream (`events.origin`): unique per process, so that
    /// its stream reader knows its own events.
    std::string origin;
    /// Events older than this many milliseconds are pruned by upkeep: how long a server may
    /// fall behind the stream (paused, cut off from the database) and still catch up.
    std::int64_t event_retention_ms = 15 * 60 * 1000;
};

/// Everything tunable about the PostgreSQL store; the defaults are the server's.
struct postgres_store_options {
    postgres_backend_options backend{};
    job_queue_limits queue{};
    maintenance_options maintenance{};
};

/// Connects to the database, creates or migrates the schema and starts the storage
/// thread. Returns null with `error` set to one readable line (the database cannot be
/// reached, refuses the login, has a newer schema); never throws for those. `metrics` may
/// be null; it must outlive the store. Call from any thread, typically at start-up.
std::unique_ptr<message_store> open_postgres_store(const postgres_store_options& options, server_metrics* metrics,
                                                   std::string& error);

}  // namespace parley::server
