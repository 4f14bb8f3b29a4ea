#pragma once
// One shard of the hub: the rooms of the channels that hash to it, on one strand. Everything
// that must be ordered per channel runs here: a join's entry into the room (its history
// read's completion), a post's echo and publication (its commit's completion), bus
// deliveries, presence, typing throttles, kicks and big channels' counts.

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>

#include "bus/presence.hpp"
#include "chat/hub_context.hpp"
#include "chat/outbox.hpp"
#include "chat/room.hpp"

namespace parley::server::chat {

using conn_ptr = std::shared_ptr<connection>;

/// What a shard tells the hub about a connection; the hub carries it to the connection's
/// home strand. Called on the shard's strand.
class shard_events {
public:
    /// A join that `c` asked for is over: it entered `channel` (or was already in it), or not.
    virtual void join_done(const conn_ptr& c, const std::string& channel, bool entered) = 0;
    /// An admin removed `c` from `channel`.
    virtual void kicked(const conn_ptr& c, const std::string& channel) = 0;
    /// The answer to claim_name() for `channel`.
    virtual void claim_answered(const conn_ptr& c, const std::string& channel, bool accepted) = 0;

protected:
    ~shard_events() = default;
};

/// What a join carries from the connection's home to the channel's shard. The joiner's
/// name cannot change meanwhile: its home defers every frame until the join is done.
struct join_ticket {
    std::string channel;
    history_direction direction = history_direction::latest;
    std::optional<std::string> ref;
    bool claimed = false;        ///< the home took a catalog claim for it
    std::string folded;          ///< the joiner's name; empty when unnamed
    std::string display;
    bool is_account = false;
    stream_position seen_through = 0;  ///< set by finish_join from the history read
};

/// Who asked for a moderation action, as the audit log names them.
struct actor_info {
    std::string name;
    std::string address;
};

/// One shard. Owned by the hub. post(), from_store() and strand() may be called from any
/// thread; every other member runs on the shard's strand.
class shard {
public:
    shard(boost::asio::any_io_executor executor, hub_context& ctx, shard_events& events);
    shard(const shard&) = delete;
    shard& operator=(const shard&) = delete;

    /// Runs `f` on the strand, guarded, then flushes what it queued.
    void post(std::function<void()> f);
    /// Runs `work` (a store completion) on the strand. Called on the storage thread in commit
    /// order; everything that arrived by the time the strand gets to it runs in one handler,
    /// in order, so each connection gets one gather write per batch, and commit order is
    /// broadcast order (which the join invariant relies on).
    void from_store(std::function<void()> work);
    bool running_here() const { return strand_.running_in_this_thread(); }
    /// The event loop the shard's strand runs on. Any thread.
    boost::asio::any_io_executor loop() const { return strand_.get_inner_executor(); }
    /// The frames of the handler running now (strand only).
    outbox& out() { return out_; }

    /// A join's history read is back: `c` enters the room (presence, `joined`, `history`),
    /// unless the read failed, another connection holds its name there, or it closed.
    void finish_join(const conn_ptr& c, const join_ticket& ticket, history_result history);
    /// `c` leaves `channel` (a `leave`, or its close when `notice` is false): presence for
    /// the others, and `left` to `c` when `notice`.
    void leave(const conn_ptr& c, const std::string& channel, bool notice);
    /// Identity, first phase: reserves `folded` for `c` in `channel` if nobody else there
    /// holds or claims it (with shared presence: on any server, the database deciding);
    /// answers through shard_events::claim_answered.
    void claim_name(const conn_ptr& c, const std::string& channel, const std::string& folded,
                    const std::string& display);
    /// Second phase: `c`'s claim in `channel` becomes its name there (presence `joined`).
    void commit_name(const conn_ptr& c, const std::string& channel, const std::string& folded,
                     const std::string& display);
    /// Second phase, refused elsewhere: gives the reservation back.
    void release_name(const connection& c, const std::string& channel, const std::string& folded);
    /// A post's commit is back: the echo to the sender and the message to the bus, or the
    /// error, or a resend's earlier message to the sender alone.
    void posted(const conn_ptr& sender, post_result result, const std::optional<std::string>& nonce);
    /// Relays `display`'s typing in `channel`, at most once per name per interval.
    void typing(const std::string& channel, const std::string& folded, const std::string& display);
    /// An edit or a delete was committed in `channel` (at stream `position`): the notice to the
    /// bus, and straight to `requester` when it is not in the channel.
    void publish_change(const server_message& notice, const std::string& channel, stream_position position,
                        const conn_ptr& requester);
    /// Removes every member named `folded` from `channel` (`left` kicked to each); false
    /// when none is there. A kick, here or on another server.
    bool remove_name(const std::string& channel, const std::string& folded);
    /// An admin's kick of `user` from `channel`.
    void kick(const conn_ptr& admin, const kick_request& request, const std::optional<std::string>& ref,
              const actor_info& actor);
    /// A bus event for one of this shard's channels: its echo, then to its local members.
    void deliver(const channel_event& event);

    // Shared presence (bus/presence.hpp): what the other servers hold in this shard's channels.
    /// A name came online on another server (`present`) or went.
    void remote_changed(const presence_entry& entry, bool present);
    /// Everything the other servers hold in this shard's channels, replacing what was known.
    void remote_replaced(std::vector<presence_entry> entries);
    /// Another server was declared dead: its names are gone.
    void remote_gone(const std::string& origin);

    /// Stream events a shard remembers for joins whose read saw an earlier position
    /// (docs/architecture/stream.md): the most recent this many.
    static constexpr std::size_t recent_events_kept = 1024;

private:
    /// A name online in a channel on other servers.
    struct remote_name {
        std::string display;
        bool is_account = false;
        std::set<std::string> origins;
    };
    using remote_names = std::unordered_map<std::string, remote_name>;  ///< folded -> entry

    void drain_store_completions();
    /// Whether another connection in `r` (or, for a guest and `ask_remote`, another
    /// server) holds or claims `folded` in `channel` in a way that conflicts.
    bool name_conflicts(const std::string& channel, const room& r, const connection& c, const std::string& folded,
                        bool is_account, bool ask_remote = true) const;
    /// The join's checks passed: `c` enters (presence, `joined`, `history`, the replay).
    void admit(const conn_ptr& c, const join_ticket& ticket, history_result history);
    /// A join refused: its catalog claim back, the error (when `code`), join_done(false).
    void refuse_join(const conn_ptr& c, const join_ticket& ticket, std::optional<error_code> code,
                     std::string message);
    /// The database's answer to a joining guest's claim of its name.
    void guest_claimed(const conn_ptr& c, const join_ticket& ticket, history_result history, bool accepted);
    /// The database's answer to an identity's claim of `folded` in `channel`.
    void identity_claimed(const conn_ptr& c, const std::string& channel, const std::string& folded, bool accepted);
    /// The exchange when presence is shared, else null.
    presence_exchange* shared_presence() const { return ctx_.bus.presence(); }
    const remote_name* remote(const std::string& channel, const std::string& folded) const;
    /// Distinct names online in `channel` on the other servers.
    int remote_online(const std::string& channel) const;
    /// Distinct names online in `channel` here and on the other servers.
    int online(const std::string& channel, const room& r) const;
    /// One name on one server came or went: presence for the members here when the name
    /// is now online, or no longer, anywhere.
    void set_remote(const presence_entry& entry, bool present);
    void enter_room(const conn_ptr& c, const join_ticket& ticket);
    /// Removes `c` from `channel`'s room; announces its name's departure if it was the last.
    /// False when it was not a member.
    bool leave_room(const connection& c, const std::string& channel);
    /// A name came to `channel` (`c` has it now) or went; presence or a count.
    void name_arrived(const std::string& channel, room& r, const std::string& display, const connection* skip);
    void name_left(const std::string& channel, room& r, const std::string& display, const connection* skip);
    void send_presence(const std::string& channel, room& r, const std::string& display,
                       presence_notice::change state, const connection* skip);
    void push_joined(const conn_ptr& c, const std::string& channel, const room& r);
    void broadcast(const room& r, const shared_frame& frame, const connection* skip = nullptr);
    /// A stream event delivered here, kept for joins whose history read is older than it.
    struct recent_event {
        stream_position position = 0;
        std::string channel;
        shared_frame frame;
        std::string skip_session;
        std::string skip_user;
    };
    void remember(const channel_event& event, const shared_frame& frame);
    /// Sends `c` (which just entered `channel` with a read at `seen_through`) the channel's
    /// events delivered here after that position.
    void replay_since(const conn_ptr& c, const std::string& channel, const std::string& folded,
                      stream_position seen_through);
    void count_changed(const std::string& channel, room& r);
    void arm_presence_timer();
    void send_online_counts();

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    hub_context& ctx_;
    shard_events& events_;
    outbox out_;                                   ///< strand: this handler's frames
    std::unordered_map<std::string, room> rooms_;  ///< strand: this shard's channels with a member
    bool presence_timer_armed_ = false;            ///< strand
    std::vector<std::string> counts_changed_;      ///< strand: big channels whose count changed
    std::deque<recent_event> recent_;              ///< strand: the last stream events, oldest first
    std::unordered_map<std::string, remote_names> remote_;  ///< strand: channel -> other servers' names
    stream_position forgotten_through_ = 0;        ///< strand: the newest position dropped from recent_

    std::mutex completed_mutex_;  ///< guards the two members below (storage thread and strand)
    std::vector<std::function<void()>> completed_;
    bool drain_posted_ = false;
};

}  // namespace parley::server::chat
