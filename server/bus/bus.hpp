#pragma once
// Fan-out between server instances. One instance uses the in-process bus; several
// instances sharing a database would use a pub/sub bus (Redis) behind the same interface,
// without touching sessions or the hub's logic.

#include <functional>
#include <memory>
#include <string>

namespace parley::server {

/// Something every connection in a channel must receive, on every instance: a new
/// message, an edit, a deletion, a typing notice. `payload` is the JSON text of the
/// frame. `skip_session` names a connection that must not get it (the sender of a message,
/// which gets its own echo with the nonce); `skip_user` a folded name whose connections must
/// not (a typing user's own); empty for none.
struct channel_event {
    std::string channel;
    std::string payload;
    std::string skip_session;
    std::string skip_user;
};

/// The bus. Owned by the server; publish() is called on the channel's shard (a strand); the handler
/// is called for every event published by any instance, this one included, in the
/// order each instance published them.
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
