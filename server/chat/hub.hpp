#pragma once
// The chat logic: what each client message does to channels and who is sent what.
// No sockets: connections are reached through chat::connection, storage through
// message_store, time through chat::clock.
//
// Threading (docs/architecture/hub.md):
// - A connection's protocol state (name, channels, pending joins, deferred frames) lives on
//   its home strand, made by open(). Its frames are handled there.
// - A channel's rooms live on one shard (a strand), picked by a hash of the name. Whatever
//   must be ordered per channel runs there; the home hops to the shard and back.
// - Cross-channel tables are small and mutex-guarded: the channel catalog (list, counts,
//   --max-channels) and the connection registry (bans, close_all, guest names).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include "chat/catalog.hpp"
#include "chat/clock.hpp"
#include "chat/connection.hpp"
#include "chat/directory.hpp"
#include "log/guarded.hpp"
#include "chat/hub_context.hpp"
#include "chat/hub_options.hpp"
#include "chat/outbox.hpp"
#include "chat/registry.hpp"
#include "chat/shard.hpp"
#include "bus/bus.hpp"
#include "bus/presence.hpp"
#include "metrics/metrics.hpp"
#include "parley/core/messages.hpp"
#include "store/store.hpp"

namespace parley::server::chat {

/// Rooms, identities and the flow of messages. Owned by the server; outlives every
/// connection and every store callback. Public members may be called from any thread;
/// open(), handle() and closed() of one connection from one thread (its session's strand).
class hub final : private shard_events {
public:
    /// Subscribes to `bus`; `store`, `bus`, `names`, `metrics` and `clock` must outlive the
    /// hub. Shard i's strand is made on loops[i % loops.size()] (one event loop per I/O
    /// thread: net/io_loops.hpp), a connection's home on loops[0] when it offers none.
    hub(std::vector<boost::asio::any_io_executor> loops, message_store& store, message_bus& bus, directory& names,
        server_metrics& metrics, chat::clock& clock, hub_options options);
    /// The same on one executor (tests; a server with one loop).
    hub(boost::asio::any_io_executor executor, message_store& store, message_bus& bus, directory& names,
        server_metrics& metrics, chat::clock& clock, hub_options options);
    hub(const hub&) = delete;
    hub& operator=(const hub&) = delete;
    ~hub();

    /// A new connection opened on the path of `channel`, as `account` when it came with a
    /// verified token: sends `connection`, then joins it (resuming after `since` when given).
    void open(std::shared_ptr<connection> c, std::optional<verified_account> account, std::string channel,
              std::optional<message_id> since);
    /// The event loop of `channel`'s shard: a connection that lives there reaches the
    /// channel's shard without a hand-off to another thread. Any thread.
    boost::asio::any_io_executor loop_of(std::string_view channel) const;
    /// A well-formed frame from `c` (decoded, rate-limited and budgeted by the session).
    void handle(std::shared_ptr<connection> c, client_frame frame);
    /// `c` has closed: it leaves every channel.
    void closed(std::shared_ptr<connection> c);
    /// Closes every connection with `code` (server shutdown).
    void close_all(std::uint16_t code, std::string reason);
    /// Whether a guest connection holds the folded name `folded` now, here or (with shared
    /// presence) on another server.
    bool guest_online(std::string_view folded) const;
    /// Another server's admin kicked `folded` from `channel`: its connections here leave it
    /// (`left` kicked). Any thread.
    void kicked_elsewhere(const std::string& channel, const std::string& folded);
    /// Another server's admin banned `folded`: its connections here close. Any thread.
    void banned_elsewhere(const std::string& folded);

    /// Sends an `error` frame to `c` and counts it; a malformed-frame code is first charged
    /// to the connection's budget (over it, nothing is sent: the connection closes). For the
    /// sessions' own refusals; the hub's go through an outbox.
    static void send_error(connection& c, server_metrics& metrics, error_code code, std::string message,
                           std::optional<std::string> ref);

    /// The shard of `channel` among `shards`: FNV-1a of the name, so it is the same on every
    /// run and every node.
    static std::size_t shard_of(std::string_view channel, std::size_t shards);

private:
    /// One handler on a connection's home strand: the connection, its state, and the frames
    /// for it (flushed when the turn ends).
    struct turn {
        const conn_ptr& c;
        connection::hub_state& state;
        outbox out;
    };

    /// Runs `f(turn&)` on `c`'s home strand, guarded.
    template <class F>
    void at_home(const conn_ptr& c, F&& f);
    shard& shard_for(std::string_view channel) { return *shards_[shard_of(channel, shards_.size())]; }
    void error(turn& t, error_code code, std::string message, const std::optional<std::string>& ref);

    // hub.cpp: the entry and the frames behind a pending join or identity.
    void dispatch(turn& t, client_frame frame);
    void replay_deferred(turn& t);
    void on_closed(turn& t);
    /// Reads the names of channels with history (they count toward max_channels) now and
    /// then every minute, so that channels whose history retention removed stop counting.
    void load_stored_channels();
    /// Servers sharing a database: the other servers' presence reaches the shards.
    void share_presence(presence_exchange& presence);

    // hub_channels.cpp
    void on_join(turn& t, const std::string& channel, std::optional<message_id> since,
                 const std::optional<std::string>& ref);
    void on_leave(turn& t, const std::string& channel, const std::optional<std::string>& ref);
    void on_history(turn& t, const history_request& request, const std::optional<std::string>& ref);
    void on_channels(turn& t, const channels_request& request);
    /// The channel a request without `channel` goes to, or sends the error and returns nullopt.
    std::optional<std::string> resolve_channel(turn& t, const std::optional<std::string>& channel,
                                               const std::optional<std::string>& ref);

    // hub_identity.cpp
    void on_identity(turn& t, const identity_request& request);
    void on_claim_answered(turn& t, const std::string& channel, bool accepted);
    void grant_name(turn& t, const std::string& display, const std::string& folded);

    // hub_messages.cpp
    void on_post(turn& t, post_message message, std::optional<std::string> nonce);
    void on_typing(turn& t, const typing_request& request, const std::optional<std::string>& ref);
    void on_change(turn& t, message_change change, const std::optional<std::string>& ref);
    /// The answer to a change: the audit entry, the error, or (on the channel's shard `s`)
    /// the notice; `out` is the strand's outbox.
    void on_changed(const conn_ptr& c, const actor_info& actor, bool admin, const change_result& result,
                    const std::optional<std::string>& ref, outbox& out, shard* s);
    void on_kick(turn& t, const kick_request& request, const std::optional<std::string>& ref);
    void on_ban(turn& t, const ban_request& request, const std::optional<std::string>& ref);

    // shard_events: called on a shard's strand; each hops to the connection's home.
    void join_done(const conn_ptr& c, const std::string& channel, bool entered) override;
    void kicked(const conn_ptr& c, const std::string& channel) override;
    void claim_answered(const conn_ptr& c, const std::string& channel, bool accepted) override;

    boost::asio::any_io_executor executor_;
    hub_options options_;
    std::shared_ptr<int> life_ = std::make_shared<int>(0);  ///< hub_context::life
    channel_catalog catalog_;
    connection_registry registry_;
    hub_context ctx_;
    std::vector<std::unique_ptr<shard>> shards_;
};

template <class F>
void hub::at_home(const conn_ptr& c, F&& f) {
    boost::asio::post(c->home(), [c, f = std::forward<F>(f)]() mutable {
        guarded("hub", [&] {
            turn t{c, c->state(), {}};
            f(t);
        }, [] {});  // t's outbox flushes as the turn ends
    });
}

}  // namespace parley::server::chat
