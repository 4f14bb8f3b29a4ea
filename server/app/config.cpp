#include "app/config.hpp"

#include <CLI/CLI.hpp>

namespace parley::server {

config_outcome parse_command_line(int argc, const char* const* argv) {
    server_config config;
    CLI::App app{"parley-server: self-hosted real-time chat (HTTP + WebSocket on one port)", "parley-server"};
    app.option_defaults()->always_capture_default();

    app.add_option("--bind", config.bind, "Address to listen on")->envname("PARLEY_BIND");
    app.add_option("--port", config.port, "TCP port for HTTP and WebSocket (0: any free port)")
        ->envname("PARLEY_PORT");
    app.add_option("--data", config.data_dir, "Directory for the SQLite database (created if missing)")
        ->envname("PARLEY_DATA");
    app.add_option("--postgres", config.postgres,
                   "Keep all state in PostgreSQL instead (a libpq connection string or postgresql:// URI)")
        ->envname("PARLEY_POSTGRES");
    app.add_option("--node-name", config.node_name,
                   "This server's name in logs and metrics (default: host name:port)")
        ->envname("PARLEY_NODE_NAME");
    app.add_option("--web-root", config.web_root, "Directory holding the browser client")
        ->envname("PARLEY_WEB_ROOT");
    app.add_option("--heartbeat-ms", config.heartbeat_ms, "Heartbeat period in milliseconds")
        ->envname("PARLEY_HEARTBEAT_MS")
        ->check(CLI::Range(100, 3'600'000));
    app.add_option("--max-frame", config.max_frame, "Largest WebSocket message in bytes (bigger: close 1009)")
        ->envname("PARLEY_MAX_FRAME")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{16} << 20));
    app.add_option("--threads", config.threads, "I/O threads (0: one per core)")
        ->envname("PARLEY_THREADS")
        ->check(CLI::Range(0, 256));
    std::map<std::string, log_level> levels{
        {"error", log_level::error}, {"warn", log_level::warn}, {"info", log_level::info}, {"debug", log_level::debug}};
    app.add_option("--log-level", config.level, "error, warn, info or debug")
        ->envname("PARLEY_LOG_LEVEL")
        ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case))
        ->default_str("info");
    std::map<std::string, sync_mode> syncs{{"normal", sync_mode::normal}, {"full", sync_mode::full}};
    app.add_option("--sync", config.sync,
                   "normal: acknowledged messages survive a server crash; full: also power loss")
        ->envname("PARLEY_SYNC")
        ->transform(CLI::CheckedTransformer(syncs, CLI::ignore_case))
        ->default_str("normal");
    app.add_option("--rate-limit", config.rate_limit, "Posts per second per connection (0: no limit)")
        ->envname("PARLEY_RATE_LIMIT")
        ->check(CLI::Range(0.0, 1e6));
    app.add_option("--rate-burst", config.rate_burst, "Posts a connection may send at once")
        ->envname("PARLEY_RATE_BURST")
        ->check(CLI::Range(1.0, 1e6));
    app.add_option("--send-queue", config.send_queue_bytes,
                   "Bytes queued for a connection before it is dropped as a slow consumer")
        ->envname("PARLEY_SEND_QUEUE")
        ->check(CLI::Range(std::size_t{64} << 10, std::size_t{1} << 30));
    app.add_option("--max-channels-per-connection", config.max_channels_per_connection,
                   "Channels one connection may be in at once")
        ->envname("PARLEY_MAX_CHANNELS_PER_CONNECTION")
        ->check(CLI::Range(1, 100'000));
    app.add_option("--max-channels", config.max_channels,
                   "Channels that may exist at once (with history or someone in them)")
        ->envname("PARLEY_MAX_CHANNELS")
        ->check(CLI::Range(1, 10'000'000));
    app.add_option("--allow-origin,--allowed-origins", config.allowed_origins,
                   "Browser origins allowed besides the server's own (comma-separated)")
        ->envname("PARLEY_ALLOW_ORIGIN")
        ->delimiter(',');

    app.add_option("--tls-cert", config.tls_cert,
                   "PEM certificate chain: serve only https:// and wss:// (needs --tls-key)")
        ->envname("PARLEY_TLS_CERT")
        ->type_name("FILE");
    app.add_option("--tls-key", config.tls_key, "PEM private key of --tls-cert, unencrypted")
        ->envname("PARLEY_TLS_KEY")
        ->type_name("FILE");

    app.add_flag("--accounts-only", config.accounts_only, "Only signed-in accounts may post (no guests)")
        ->envname("PARLEY_ACCOUNTS_ONLY");
    app.add_option("--registrations-per-hour", config.registrations_per_hour,
                   "New accounts per client address per hour (0: no limit)")
        ->envname("PARLEY_REGISTRATIONS_PER_HOUR")
        ->check(CLI::Range(0, 1'000'000));
    app.add_option("--max-connections-per-address", config.max_connections_per_address,
                   "Open WebSocket connections per client address (IPv6: per /64); more get HTTP 429 "
                   "(0: no limit)")
        ->envname("PARLEY_MAX_CONNECTIONS_PER_ADDRESS")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}));
    app.add_option("--header-timeout-ms", config.header_timeout_ms,
                   "Milliseconds a client has for a request's header once it began, and for the TLS "
                   "handshake")
        ->envname("PARLEY_HEADER_TIMEOUT_MS")
        ->check(CLI::Range(100, 600'000));

    app.add_option("--retention-days", config.retention_days,
                   "Delete messages older than this many days, in the background (0: keep all)")
        ->envname("PARLEY_RETENTION_DAYS")
        ->check(CLI::Range(0, 1'000'000));
    app.add_option("--max-messages-per-channel", config.max_messages_per_channel,
                   "Messages a channel keeps; the oldest beyond are deleted in the background (0: no cap)")
        ->envname("PARLEY_MAX_MESSAGES_PER_CHANNEL")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000'000'000}));

    admin_command admin;
    auto* admin_cmd = app.add_subcommand("admin", "Manage accounts and bans (SQLite: on a stopped server; PostgreSQL: the "
                                                  "running servers are told): create NAME "
                                                  "(an admin; password from PARLEY_ADMIN_PASSWORD or stdin), "
                                                  "list, remove NAME, bans, unban NAME_OR_ADDRESS, "
                                                  "audit [--limit N] (newest first)");
    admin_cmd->add_option("action", admin.action, "create, list, remove, bans, unban or audit")
        ->required()
        ->check(CLI::IsMember({"create", "list", "remove", "bans", "unban", "audit"}));
    admin_cmd->add_option("--limit", admin.limit, "audit: how many entries, newest first")
        ->check(CLI::Range(1, 1'000'000));
    admin_cmd->add_option("name", admin.name, "The account's name (for unban: a name or an address)");

    auto* migrate_cmd = app.add_subcommand(
        "migrate", "Copy the SQLite deployment in --data into the empty PostgreSQL database --postgres "
                   "(ids, accounts, tokens, bans, audit), with the server stopped");
    migrate_cmd->fallthrough();  // --data and --postgres are the server's own options

    try {
        app.parse(argc, argv);
        if (migrate_cmd->parsed()) {
            if (config.postgres.empty())
                return config_exit{2, "parley-server: migrate needs --postgres CONNINFO (the target database)"};
            return migrate_command{config.data_dir, config.postgres};
        }
        if (admin_cmd->parsed()) {
            if (admin.action != "list" && admin.action != "bans" && admin.action != "audit" && admin.name.empty())
                return config_exit{2, "parley-server: admin " + admin.action + " needs a NAME"};
            admin.data_dir = config.data_dir;
            admin.postgres = config.postgres;
            return admin;
        }
    } catch (const CLI::CallForHelp&) {
        return config_exit{0, app.help()};
    } catch (const CLI::ParseError& e) {
        return config_exit{e.get_exit_code() == 0 ? 0 : 2, std::string("parley-server: ") + e.what()};
    }
    if (config.tls_cert.empty() != config.tls_key.empty())
        return config_exit{2, "parley-server: --tls-cert and --tls-key go together: give both or neither"};
    return config;
}

}  // namespace parley::server
