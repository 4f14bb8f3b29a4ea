#include "app/server.hpp"

#include <unistd.h>

#include <chrono>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "accounts/account_db.hpp"
#include "accounts/account_service.hpp"
#include "log/log.hpp"
#include "http/api.hpp"
#include "bus/bus.hpp"
#include "chat/asio_clock.hpp"
#include "chat/hub.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "net/address_limiter.hpp"
#include "net/io_loops.hpp"
#include "net/listener.hpp"
#include "net/session_context.hpp"
#include "net/tls_context.hpp"
#include "store/postgres_store.hpp"
#include "store/postgres_stream.hpp"
#include "store/sqlite_store.hpp"
#include "ws/frame.hpp"

namespace parley::server {

namespace net = boost::asio;

namespace {
/// How long shutdown waits for clients to answer the 1001 close before closing anyway;
/// with the store flush it keeps the whole stop under the 2 s the operators are promised.
constexpr std::chrono::milliseconds shutdown_grace{1200};
constexpr std::string_view server_name = "parley/1.0";
/// The largest reply frame the hub builds, before the send-queue cap below.
constexpr std::size_t max_reply_frame_bytes = 256 * 1024;
/// Hub shards per I/O thread (see make_hub_options).
constexpr std::size_t shards_per_thread = 4;

chat::hub_options make_hub_options(const server_config& config) {
    chat::hub_options options;
    options.server_name = std::string(server_name);
    options.heartbeat_ms = config.heartbeat_ms;
    options.accounts_only = config.accounts_only;
    options.max_channels_per_connection = config.max_channels_per_connection;
    options.max_channels = config.max_channels;
    // A reply always fits the queue of the connection that asked, with room to spare.
    options.max_reply_bytes = std::min(max_reply_frame_bytes, config.send_queue_bytes / 4);
    // More shards than threads: channels hash unevenly and a few are busy, so with 4 per
    // thread a hot channel shares its strand with a quarter of a thread's share of the rest;
    // an idle strand costs nothing. Shard i runs on loop i % threads.
    options.shards = static_cast<std::size_t>(std::max(1, config.threads)) * shards_per_thread;
    return options;
}

session_limits make_session_limits(const server_config& config) {
    session_limits limits;
    limits.max_frame = config.max_frame;
    limits.rate_limit = config.rate_limit;
    limits.rate_burst = config.rate_burst;
    limits.max_channels_per_connection = config.max_channels_per_connection;
    limits.heartbeat_ms = config.heartbeat_ms;
    limits.send_queue_bytes = config.send_queue_bytes;
    limits.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
    limits.allowed_origins = config.allowed_origins;
    return limits;
}
/// The host name and the port: a node's default name.
std::string default_node_name(std::uint16_t port) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "parley:" + std::to_string(port);
    return std::string(host) + ":" + std::to_string(port);
}

/// A name for this process in the event stream, unique among the servers sharing a
/// database whatever their node names (which an operator may repeat by mistake).
std::string random_origin() {
    std::random_device entropy;
    const std::uint64_t value = (std::uint64_t{entropy()} << 32) ^ entropy();
    static constexpr char digits[] = "0123456789abcdef";
    std::string origin(16, '0');
    for (int i = 0; i < 16; ++i) origin[static_cast<std::size_t>(i)] = digits[(value >> (4 * i)) & 0xf];
    return origin;
}
}  // namespace

struct server::impl {
    server_config config;
    server_metrics metrics;
    address_limiter connections_per_address;  ///< outlives every session, which hold its slots
    std::atomic<bool> stopping{false};
    std::unique_ptr<message_store> store;
    std::unique_ptr<accounts::account_service> accounts;
    std::string origin = random_origin();
    /// The local bus on one server; the database's event stream with --postgres.
    std::unique_ptr<message_bus> bus;
    postgres_stream* stream = nullptr;  ///< bus, when it is the stream
    static_files files;
    http_context http;
    std::unique_ptr<api_context> api;
    std::optional<net::ssl::context> tls;  ///< before loops: outlives every session made from it
    std::optional<io_loops> loops;         ///< one event loop per I/O thread
    std::optional<chat::asio_clock> clock;  ///< the hub's time; its timers run on loop 0
    std::unique_ptr<chat::hub> hub;
    std::unique_ptr<session_context> sessions;
    std::shared_ptr<listener> acceptor;
    std::optional<net::steady_timer> drain_timer;
    std::chrono::steady_clock::time_point drain_deadline;

    explicit impl(server_config c)
        : config(std::move(c)),
          connections_per_address(config.max_connections_per_address),
          files(static_files::load(config.web_root)),
          http{files, metrics, server_name} {
        // TLS first: a bad certificate is reported before the data directory is touched.
        if (!config.tls_cert.empty()) {
            tls.emplace(make_tls_context(config.tls_cert, config.tls_key));
            http.tls = true;
        }
        metrics.node_name = config.node_name.empty() ? default_node_name(config.port) : config.node_name;
        open_storage();
        api = std::make_unique<api_context>(
            api_context{*accounts, config.allowed_origins, server_name, tls.has_value()});
        if (!files.problem().empty())
            log_warn(files.problem());
        const int threads = config.threads > 0 ? config.threads
                                               : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        config.threads = threads;
        loops.emplace(static_cast<std::size_t>(threads));
        clock.emplace(loops->loop(0).get_executor());
        hub = std::make_unique<chat::hub>(loops->executors(), *store, *bus, *accounts, metrics, *clock,
                                          make_hub_options(config));
        // Servers sharing a database tell each other what changes their caches and their
        // connections (nothing happens on the local bus).
        accounts->set_change_listener([b = bus.get()](std::string kind, std::vector<std::string> args) {
            b->send_control({std::move(kind), std::move(args)});
        });
        bus->on_control([h = hub.get(), a = accounts.get()](const control_notice& notice) {
            if (notice.kind == "kick" && notice.args.size() == 2) return h->kicked_elsewhere(notice.args[0], notice.args[1]);
            a->apply_remote_change(notice.kind, notice.args);
            if (notice.kind == "ban" && !notice.args.empty()) h->banned_elsewhere(notice.args[0]);
        });
        if (stream) {
            // A server that fell behind the stream further than it is kept cannot tell its
            // clients what they missed; they can: closed, they resume with `since`.
            stream->on_events_lost([h = hub.get()] {
                h->close_all(ws::close_code::going_away, "this server fell behind: reconnect");
            });
            // Bans, logouts and logins the other servers announced while this one was not
            // listening: read from the tables; a name banned meanwhile is put out here too.
            stream->on_reconnected([h = hub.get(), a = accounts.get()] {
                a->resync([h](const std::vector<std::string>& banned) {
                    for (const auto& folded : banned) h->banned_elsewhere(folded);
                });
            });
            stream->start();
        }
        accounts->set_guest_lookup([h = hub.get()](std::string_view folded) { return h->guest_online(folded); });
        sessions = std::make_unique<session_context>(
            session_context{make_session_limits(config), *hub, metrics, http, *api, *accounts, stopping, tls ? &*tls : nullptr,
                            &connections_per_address});
        const auto address = net::ip::make_address(config.bind);
        try {
            acceptor = std::make_shared<listener>(*loops, net::ip::tcp::endpoint(address, config.port), *sessions);
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error("cannot listen on " + config.bind + ":" + std::to_string(config.port) + ": " +
                                     e.code().message());
        }
    }

    /// The message store and the account tables: PostgreSQL with --postgres, else SQLite
    /// under the data directory. Throws one line naming the database and the reason.
    void open_storage() {
        std::string error;
        upkeep_policy upkeep;
        upkeep.retention_ms = std::int64_t{config.retention_days} * 86'400'000;
        upkeep.max_messages_per_channel = config.max_messages_per_channel;
        std::unique_ptr<accounts::account_db> account_tables;
        if (!config.postgres.empty()) {
            postgres_store_options options;
            static_cast<upkeep_policy&>(options.backend) = upkeep;
            options.backend.conninfo = config.postgres;
            options.backend.origin = origin;
            store = open_postgres_store(options, &metrics, error);
            if (store) account_tables = accounts::account_db::open_postgres(config.postgres, error);
            std::unique_ptr<postgres_stream> events;
            postgres_stream_options stream_options;
            stream_options.conninfo = config.postgres;
            stream_options.origin = origin;
            stream_options.application_name = "parley stream " + metrics.node_name;
            stream_options.node_name = metrics.node_name;
            if (account_tables) events = postgres_stream::open(stream_options, metrics, error);
            if (!events) throw std::runtime_error("cannot use the PostgreSQL database: " + error);
            stream = events.get();
            bus = std::move(events);
        } else {
            sqlite_store_options options;
            static_cast<upkeep_policy&>(options.backend) = upkeep;
            options.backend.sync = config.sync;
            options.caller_commit.defer = &io_loops::defer_on_this_loop;
            store = open_sqlite_store(config.data_dir, options, &metrics, error);
            if (!store)
                throw std::runtime_error("cannot open the data directory " + config.data_dir.string() + ": " + error);
            bus = std::make_unique<local_bus>();
            account_tables = accounts::account_db::open(config.data_dir, error);
            if (!account_tables)
                throw std::runtime_error("cannot open the account tables in " + config.data_dir.string() + ": " +
                                         error);
        }
        accounts::account_limits account_limits;
        account_limits.registrations_per_hour = config.registrations_per_hour;
        accounts = accounts::account_service::open(std::move(account_tables), account_limits, error);
        if (!accounts) throw std::runtime_error(error);
    }

    ~impl() {
        // Order matters. The store's last callbacks post into the loops, so it stops first.
        // Every object bound to a loop (the listener's acceptor, timers, the hub's strands)
        // must go before the loops; then destroying the loops destroys the handlers still
        // queued, which release the last sessions.
        if (store) store->flush_and_stop();
        if (stream) stream->stop();  // after the store, whose last commits it delivers
        if (accounts) accounts->stop();
        acceptor.reset();
        drain_timer.reset();
        hub.reset();
        clock.reset();  // its timers run on loop 0
        loops.reset();
        sessions.reset();  // after the loops: destroyed sessions still count themselves out
    }

    void begin_stop() {
        if (stopping.exchange(true)) return;
        log_info("stopping: closing connections");
        acceptor->stop();
        hub->close_all(ws::close_code::going_away, "server shutting down");
        drain_deadline = std::chrono::steady_clock::now() + shutdown_grace;
        drain_timer.emplace(loops->loop(0));
        wait_for_drain();
    }

    void wait_for_drain() {
        if (metrics.connections_open.load() <= 0 || std::chrono::steady_clock::now() >= drain_deadline) {
            store->flush_and_stop();
            if (stream) stream->stop();
            accounts->stop();
            loops->release();
            loops->stop();
            return;
        }
        drain_timer->expires_after(std::chrono::milliseconds(20));
        drain_timer->async_wait([this](const boost::system::error_code&) { wait_for_drain(); });
    }
};

server::server(server_config config) : impl_(std::make_unique<impl>(std::move(config))) {}

server::~server() = default;

void server::run(bool handle_signals) {
    std::optional<net::signal_set> signals;
    if (handle_signals) {
        signals.emplace(impl_->loops->loop(0), SIGINT, SIGTERM);
        signals->async_wait([this](const boost::system::error_code& ec, int) {
            if (!ec) impl_->begin_stop();
        });
    }
    impl_->acceptor->run();
    const char* scheme = impl_->tls ? "https://" : "http://";
    const std::string storage = impl_->config.postgres.empty() ? "data " + impl_->config.data_dir.string()
                                                                : std::string("PostgreSQL");
    log_info("node " + impl_->metrics.node_name + " listening on " + (scheme + impl_->config.bind) + ":" +
             std::to_string(port()) + " (" + std::to_string(impl_->config.threads) + " threads, " + storage + ")");
    impl_->loops->run();
    log_info("stopped");
}

void server::stop() {
    net::post(impl_->loops->loop(0), [this] { impl_->begin_stop(); });
}

unsigned short server::port() const { return impl_->acceptor->port(); }

server_metrics& server::metrics() { return impl_->metrics; }

}  // namespace parley::server
