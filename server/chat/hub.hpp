#pragma once
// The chat logic: what each client message does to channels and who is sent what.
// No sockets: connections are reached through chat::connection, storage through
// message_store. All state lives on one strand, so the logic reads like single-threaded
// code and message order is the order of that strand; sessions decode frames in
// parallel on their own strands and post the results here.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "chat/connection.hpp"
#include "chat/directory.hpp"
#include "chat/room.hpp"
#include "bus/bus.hpp"
#include "metrics/metrics.hpp"
#include "parley/core/messages.hpp"
#include "store/store.hpp"

namespace parley::server::chat {

/// Settings the hub needs from the server's configuration.
struct hub_options {
    std::string server_name = "parley/1.0";
    int heartbeat_ms = 15000;
    bool accounts_only = false;  ///< guests may not take a name (read only)
    /// Channels one connection may be in (server_config::max_channels_per_connection).
    int max_channels_per_connection = 100;
    /// Channels that may exist at once: with history, or with a connection in them.
    int max_channels = 10000;
    /// The largest reply frame (history, channel list) the hub builds. A quarter of the send
    /// queue at most (server::make_hub_options), so that a reply always fits the queue of
    /// the connection that asked and leaves room for the chat around it.
    std::size_t max_reply_bytes = 256 * 1024;
    /// Channels with up to this many names get a `presence` frame per name that comes or
    /// goes; bigger ones get `online` counts, and `joined` lists this many names. Per name,
    /// n joins into one channel cost n^2 deliveries; with counts the cost stays linear.
    int presence_names_up_to = 100;
    /// The shortest interval between two `online` counts of one big channel; it grows by
    /// this much per presence_names_up_to names, so a channel's count traffic is at most
    /// 4 x presence_names_up_to deliveries per second, whatever its size.
    std::chrono::milliseconds online_count_interval{250};
};

/// Rooms, identities and the flow of messages. Owned by the server; outlives every
/// connection and every store callback. Public members may be called from any thread:
/// each posts its work to the hub's strand.
class hub {
public:
    /// Subscribes to `bus`; `store`, `bus`, `names` and `metrics` must outlive the hub.
    hub(boost::asio::any_io_executor executor, message_store& store, message_bus& bus, directory& names,
        server_metrics& metrics, hub_options options);
    hub(const hub&) = delete;
    hub& operator=(const hub&) = delete;

    /// A new connection opened on the path of `channel`, as `account` when it came with a
    /// verified token: sends `connection`, then joins it (resuming after `since` when given).
    void open(std::shared_ptr<connection> c, std::optional<verified_account> account, std::string channel,
              std::optional<message_id> since);
    /// A well-formed frame from `c` (decoded, rate-limited and budgeted by the session).
    void handle(std::shared_ptr<connection> c, client_frame frame);
    /// `c` has closed: it leaves every channel.
    void closed(std::shared_ptr<connection> c);
    /// Closes every connection with `code` (server shutdown).
    void close_all(std::uint16_t code, std::string reason);
    /// Whether a guest connection holds the folded name `folded` now. Any thread.
    bool guest_online(std::string_view folded) const;

    /// Sends an `error` frame to `c` and counts it; a malformed-frame code is first charged
    /// to the connection's budget (over it, nothing is sent: the connection closes). Any thread.
    static void send_error(connection& c, server_metrics& metrics, error_code code, std::string message,
                           std::optional<std::string> ref);

private:
    using conn_ptr = std::shared_ptr<connection>;

    // Each on_x runs on the strand.
    void dispatch(const conn_ptr& c, client_frame frame);
    void replay_deferred(const conn_ptr& c);
    void on_join(const conn_ptr& c, const std::string& channel, std::optional<message_id> since,
                 const std::optional<std::string>& ref);
    void on_joined(const conn_ptr& c, const std::string& channel, history_direction direction,
                   history_result history);
    void finish_join(const conn_ptr& c, const std::string& channel, history_direction direction,
                     history_result history);
    void on_leave(const conn_ptr& c, const std::string& channel, const std::optional<std::string>& ref);
    void on_identity(const conn_ptr& c, const identity_request& request);
    void on_post(const conn_ptr& c, post_message message, std::optional<std::string> nonce);
    void on_posted(const conn_ptr& sender, post_result result, const std::optional<std::string>& nonce);
    void on_history(const conn_ptr& c, const history_request& request, const std::optional<std::string>& ref);
    void on_typing(const conn_ptr& c, const typing_request& request, const std::optional<std::string>& ref);
    void on_channels(const conn_ptr& c, const channels_request& request);
    void on_edit(const conn_ptr& c, edit_request request, const std::optional<std::string>& ref);
    void on_delete(const conn_ptr& c, const delete_request& request, const std::optional<std::string>& ref);
    /// An edit or a delete: one path from the request to its notice or error.
    void on_change(const conn_ptr& c, message_change change, const std::optional<std::string>& ref);
    void on_kick(const conn_ptr& c, const kick_request& request, const std::optional<std::string>& ref);
    void on_ban(const conn_ptr& c, const ban_request& request, const std::optional<std::string>& ref);
    void count_guest(const connection& c, int delta);
    void on_closed(const conn_ptr& c);
    /// Whether a new channel may come into being (max_channels); sends the refusal if not.
    bool may_create_channel(const conn_ptr& c, const std::string& channel, const std::optional<std::string>& ref);
    /// Reloads the names of channels with history (they count toward max_channels), now and
    /// then every minute, so that channels whose history retention removed stop counting.
    void load_stored_channels();
    void on_room_created(const std::string& channel);
    void on_room_erased(const std::string& channel);
    void on_channel_stored(const std::string& channel);

    /// The channel a message without `channel` goes to, or sends the error and returns nullopt.
    std::optional<std::string> resolve_channel(const conn_ptr& c, const std::optional<std::string>& channel,
                                               const std::optional<std::string>& ref);
    /// Adds `c` to `channel`'s room; announces its name if it is new there.
    void enter_room(const conn_ptr& c, const std::string& channel);
    /// Removes `c` from `channel`'s room; announces its name's departure if it was the last.
    void leave_room(connection& c, const std::string& channel);
    /// Sends `frame` to every connection in `channel` except `skip` (local: presence).
    void broadcast(const std::string& channel, const shared_frame& frame, const connection* skip = nullptr);
    /// Publishes a change notice (edited, deleted) to the channel on every instance, and sends
    /// it to `requester` directly if it is not in the channel.
    void publish_change(const server_message& notice, const std::string& channel, const conn_ptr& requester);
    /// Delivers a bus event to this instance's connections in its channel (strand).
    void deliver(const channel_event& event);
    void send_presence(const std::string& channel, const std::string& display, presence_notice::change state,
                       const connection* skip);
    /// Whether another connection in `channel` holds `c`'s name in a way that conflicts.
    bool name_conflicts(const connection& c, const std::string& channel, const std::string& folded) const;
    void error(const conn_ptr& c, error_code code, std::string message, const std::optional<std::string>& ref);

    /// Runs `f` on the strand, then flushes every connection it queued frames for.
    template <class F>
    void on_strand(F&& f);
    /// Runs `f` (already on the strand) with the hub's one catch, then flushes.
    template <class F>
    void run_guarded(F&& f);
    /// Marks a big channel's count as changed; the presence timer sends it.
    void count_changed(const std::string& channel, room& r);
    void arm_presence_timer();
    /// Sends the `online` count of each big channel whose interval has passed.
    void send_online_counts();
    /// Queues `frame` for `c` and remembers `c` for the flush at the end of this handler.
    void push(const conn_ptr& c, shared_frame frame);
    void flush_dirty();
    /// Runs `work` (a store completion) on the strand. Called on the storage thread, in
    /// commit order. Completions are handed over in batches: all that arrived by the time
    /// the strand gets to them run in one handler, in order, so each connection gets one
    /// gather write per batch instead of one per message, and the order of commits is the
    /// order of broadcasts (which the join invariant relies on).
    void from_store(std::function<void()> work);
    void drain_store_completions();

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    message_store& store_;
    message_bus& bus_;
    directory& names_;
    server_metrics& metrics_;
    hub_options options_;
    std::unordered_map<std::string, room> rooms_;  ///< channels with at least one connection
    std::unordered_map<connection*, std::weak_ptr<connection>> connections_;  ///< every open one
    std::vector<conn_ptr> dirty_;  ///< strand: connections with frames queued but not flushed
    boost::asio::steady_timer reload_timer_;  ///< strand: the next reload of stored_channels_
    boost::asio::steady_timer presence_timer_;  ///< strand: the next round of online counts
    bool presence_timer_armed_ = false;
    std::vector<std::string> counts_changed_;  ///< strand: big channels whose count changed
    std::set<std::string> stored_channels_;  ///< strand: channels with history, sorted
    int live_unstored_channels_ = 0;         ///< strand: rooms whose channel has no history

    mutable std::mutex guests_mutex_;  ///< guards guests_ (read by the account service)
    std::unordered_map<std::string, int> guests_;  ///< folded guest name -> named connections

    std::mutex completed_mutex_;  ///< guards the two members below (storage thread and strand)
    std::vector<std::function<void()>> completed_;
    bool drain_posted_ = false;
};

}  // namespace parley::server::chat
