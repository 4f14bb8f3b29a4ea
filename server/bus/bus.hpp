#pragma once
// Fan-out between server instances. One instance uses the in-process bus; several
// instances sharing a PostgreSQL database use its event stream (store/postgres_stream.hpp)
// behind the same interface, without touching sessions or the hub's logic.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace parley::server {

class presence_exchange;

/// Something every connection in a channel must receive, on every instance: a new
/// message, an edit, a deletion, a typing notice. `payload` is the JSON text of the
/// frame. `skip_session` names a connection that must not get it (the sender of a message,
/// which gets its own echo with the nonce); `skip_user` a folded name whose connections must
/// not (a typing user's own); empty for none.
///
/// `position` is the event's place in the stream that servers sharing a database read in
/// order (0: not in a stream, as everything is on one server, and typing notices always).
/// `echo` runs on the channel's shard just before the event is delivered there: the
/// sender's receipt, which must not overtake an earlier event of the channel. `broadcast`
/// false: the event was delivered already (another server's copy of it came first), only
/// the echo is left.
struct channel_event {
    std::string channel;
    std::string payload;
    std::string skip_session;
    std::string skip_user;
    std::int64_t position = 0;
    std::function<void()> echo;
    bool broadcast = true;
};

/// Something every other server must apply to its own connections and caches: a kick, a
/// ban, a login or logout, an account. `kind` and `args` hold no newline. Told to every
/// server but the one that sends it, when a database is shared; nowhere on one server.
struct control_notice {
    std::string kind;
    std::vector<std::string> args;
};

/// The bus. Owned by the server; publish() is called on the channel's shard (a strand); the handler
/// is called for every event published by any instance, this one included: events with a
/// position in position order, the others in the order each instance published them. The
/// local bus calls it inline on the publishing shard; a stream calls it from any thread.
class message_bus {
public:
    using handler = std::function<void(const channel_event&)>;

    message_bus() = default;
    message_bus(const message_bus&) = delete;
    message_bus& operator=(const message_bus&) = delete;
    virtual ~message_bus() = default;

    /// Sets the receiver of events; called once, before the first publish().
    virtual void subscribe(handler receive) = 0;
    /// Sends `event` to every instance's receiver.
    virtual void publish(channel_event event) = 0;
    /// Tells the other servers; nothing to do on one server. Any thread.
    virtual void send_control(control_notice notice) { (void)notice; }
    /// Sets the receiver of the other servers' control notices; called once, at start-up.
    /// It is called on a thread of the bus: hand the work on.
    virtual void on_control(std::function<void(const control_notice&)> receive) { (void)receive; }
    /// Presence shared with the other servers (bus/presence.hpp); null on one server.
    virtual presence_exchange* presence() { return nullptr; }
};

/// The default bus: one instance, so publishing is delivering, synchronously, on the
/// caller's thread (the channel's shard) — which keeps each channel's broadcasts in store-commit order.
class local_bus final : public message_bus {
public:
    void subscribe(handler receive) override { receive_ = std::move(receive); }
    void publish(channel_event event) override {
        if (receive_) receive_(event);
    }

private:
    handler receive_;
};

}  // namespace parley::server
