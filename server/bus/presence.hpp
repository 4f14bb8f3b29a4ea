#pragma once
// Presence between servers sharing a database (docs/architecture/stream.md, Presence):
// which names are online in which channel on the other servers, guest names claimed once
// across all of them, and what happens when a server dies or is paused. One server has
// none of it (message_bus::presence() is null) and decides names alone.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::server {

/// A name online in a channel on one server.
struct presence_entry {
    std::string channel;
    std::string folded;
    std::string display;
    bool is_account = false;
    std::string origin;  ///< the server holding it
};

/// What the other servers hold, as it changes. Called on the exchange's thread: hand on.
struct presence_handlers {
    /// `entry` came online on its server (`present`) or went.
    std::function<void(const presence_entry& entry, bool present)> changed;
    /// Everything the other servers hold now (at start-up, and after a reconnection,
    /// when changes may have been missed): it replaces what was known.
    std::function<void(std::vector<presence_entry> all)> replaced;
    /// A server stopped heartbeating and was declared dead: its names are gone.
    std::function<void(const std::string& origin)> gone;
    /// This server was declared dead while it was paused or cut off (its names were given
    /// to others): it must close every connection rather than keep stale claims.
    std::function<void()> fenced;
};

class presence_exchange {
public:
    virtual ~presence_exchange() = default;

    /// Claims `folded` in `channel` for a guest of this server: `done(true)` when it is
    /// this server's now, false when a guest anywhere holds it (or the database cannot be
    /// reached). `done` runs on the exchange's thread. Any thread.
    virtual void claim_guest(const std::string& channel, const std::string& folded, const std::string& display,
                             std::function<void(bool)> done) = 0;
    /// An account's name came online in `channel` on this server. Any thread.
    virtual void account_arrived(const std::string& channel, const std::string& folded,
                                 const std::string& display) = 0;
    /// This server no longer holds `folded` in `channel` (its last connection there left,
    /// or a guest's claim was given back). Never lost: retried until the database takes it.
    virtual void departed(const std::string& channel, const std::string& folded) = 0;
    /// A guest name came online on this server (its first connection took it) or went (its
    /// last closed), whatever channels it is in: another server's registration of the name
    /// is refused while it is online. Called in the order the changes happen. Any thread.
    virtual void guest_named(const std::string& folded, const std::string& display, bool online) = 0;
    /// Whether a guest of another server holds `folded`, in a channel or none. Any thread.
    virtual bool remote_guest_online(std::string_view folded) const = 0;
    /// Sets the receivers; called once, before the exchange starts.
    virtual void set_handlers(presence_handlers handlers) = 0;
};

}  // namespace parley::server
