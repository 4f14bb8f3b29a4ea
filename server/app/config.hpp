#pragma once
// The server's configuration: every flag of parley-server, with its default and reason.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "http/limits.hpp"
#include "log/log.hpp"
#include "parley/core/limits.hpp"
#include "store/store.hpp"

namespace parley::server {

/// Everything parley-server can be told. Built once at start-up, then read-only.
struct server_config {
    std::string bind = "127.0.0.1";  ///< loopback by default: exposing a server is a choice
    std::uint16_t port = 8080;       ///< 0 picks a free port (tests)
    std::filesystem::path data_dir = "data";
    /// A libpq connection string or postgresql:// URI: all state in PostgreSQL instead of
    /// SQLite under data_dir. Empty: SQLite.
    std::string postgres;
    /// This server's name in logs and metrics; empty: the host name and the port. Servers
    /// sharing a database should have different names (operators tell them apart by it).
    std::string node_name;
    std::filesystem::path web_root = "web";
    int heartbeat_ms = limits::default_heartbeat_ms;
    std::size_t max_frame = limits::default_max_frame_bytes;
    int threads = 0;  ///< 0: one per core
    log_level level = log_level::info;
    sync_mode sync = sync_mode::normal;
    double rate_limit = limits::default_rate_limit_per_s;  ///< messages/s per connection; 0 = none
    double rate_burst = limits::default_rate_burst;
    std::size_t send_queue_bytes = limits::default_send_queue_bytes;
    std::vector<std::string> allowed_origins;  ///< browser origins besides the server's own
    /// PEM certificate chain and its unencrypted key; both empty (the default) serve plain
    /// http:// and ws://, both set serve only https:// and wss:// on the port.
    std::filesystem::path tls_cert;
    std::filesystem::path tls_key;
    /// Channels one connection may be in at once: far more than a person follows, and it
    /// bounds what one connection's joins cost (rooms, presence, rejoin on reconnect).
    int max_channels_per_connection = 100;
    /// Channels that may exist at once (with history, or with someone in them); empty
    /// channels without history are forgotten. Bounds the channel list and what guests
    /// creating channels can make the server keep.
    int max_channels = 10000;
    bool accounts_only = false;                ///< only signed-in accounts may post
    /// New accounts per client address per hour (0: no limit); see account_limits.
    int registrations_per_hour = 10;
    /// Messages older than this many days are deleted in the background (0: kept for
    /// ever). 0 by default: how long a community keeps its history is its operator's
    /// choice, and the per-channel cap below already bounds the storage.
    int retention_days = 0;
    /// Messages a channel keeps at most; the oldest beyond it are deleted in the background
    /// (0: no cap). 100,000 is months of a busy channel and at most ~1.6 GB of text for
    /// one channel flooded with the longest messages (about 10 MB at typical sizes).
    std::int64_t max_messages_per_channel = 100'000;
    /// Open WebSocket connections per client address (IPv6: per /64); 0: no limit (tests,
    /// benchmarks). 32 lets a household or small office behind one NAT keep several tabs and
    /// devices each, while one address can no longer hold thousands of connections.
    std::size_t max_connections_per_address = 32;
    /// How long a client has to send a request's header (and body) once its first byte
    /// arrived, and a TLS client to finish its handshake: 10 s is ample on a slow mobile link
    /// and cuts a slow-loris off. Configurable so tests need not wait 10 s.
    int header_timeout_ms =
        static_cast<int>(std::chrono::milliseconds(http_limits::header_read_timeout).count());
};

/// `parley-server admin create|list|remove|bans|unban|audit [NAME]`: account
/// administration on the data directory, run instead of the server.
struct admin_command {
    std::string action;  ///< "create", "list", "remove", "bans", "unban" or "audit"
    std::string name;
    std::filesystem::path data_dir;
    std::string postgres;  ///< as in server_config: the database to administer instead of data_dir's
    int limit = 100;  ///< audit: entries printed, newest first (a screenful and a half)
};

/// `parley-server migrate --data DIR --postgres CONNINFO`: copy a SQLite deployment into
/// an empty PostgreSQL database, run instead of the server.
struct migrate_command {
    std::filesystem::path data_dir;
    std::string postgres;
};

/// What the command line asked for: a configuration to run, or an exit (help, an error)
/// with the text to print and the exit code.
struct config_exit {
    int code = 0;
    std::string text;
};
using config_outcome = std::variant<server_config, config_exit, admin_command, migrate_command>;

/// Reads argv and PARLEY_<NAME> environment variables (flags win). Never throws.
config_outcome parse_command_line(int argc, const char* const* argv);

}  // namespace parley::server
