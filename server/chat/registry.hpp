#pragma once
// Every open connection of the server, for the work that is not about one channel: a ban
// (every connection holding a name, whatever its channels), shutdown's close_all, and the
// account service's question whether a guest holds a name.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chat/connection.hpp"

namespace parley::server::chat {

/// The open connections and their names. Owned by the hub; every member is thread-safe (one
/// mutex, never held while a connection is sent to or closed). Holds weak pointers only.
class connection_registry {
public:
    using conn_ptr = std::shared_ptr<connection>;

    /// `c` opened (its home strand, in hub::open).
    void add(const conn_ptr& c);
    /// `c` closed (its home strand).
    void remove(const connection& c);
    /// `c` took the name `display` (`folded`; its home strand, once); `guest` counts it for
    /// guest_online.
    void named(const connection& c, const std::string& folded, const std::string& display, bool guest);
    /// What is told when a guest name gets its first connection here (true) or loses its
    /// last (false): called under the registry's lock, so in the order the changes happen
    /// (it must not call the registry). Set once, before connections open.
    using guest_names_handler = std::function<void(const std::string& folded, const std::string& display, bool online)>;
    void on_guest_names(guest_names_handler told) { told_ = std::move(told); }
    /// Whether a guest connection holds `folded` now.
    bool guest_online(std::string_view folded) const;
    /// Every open connection.
    std::vector<conn_ptr> all() const;
    /// The open connections holding `folded`, except `except`.
    std::vector<conn_ptr> holding(const std::string& folded, const connection* except) const;

private:
    struct entry {
        std::weak_ptr<connection> weak;
        std::string folded;  ///< empty while unnamed
        std::string display;
        bool guest = false;
    };
    mutable std::mutex mutex_;
    std::unordered_map<const connection*, entry> connections_;
    std::unordered_map<std::string, int> guests_;  ///< folded guest name -> connections
    guest_names_handler told_;
};

}  // namespace parley::server::chat
