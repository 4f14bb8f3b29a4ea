#pragma once
// What the hub's parts share: the services it was given and the two cross-channel tables.
// Built by the hub, which owns the tables; the shards hold a reference to it.

#include <memory>

#include "bus/bus.hpp"
#include "chat/catalog.hpp"
#include "chat/clock.hpp"
#include "chat/directory.hpp"
#include "chat/hub_options.hpp"
#include "chat/registry.hpp"
#include "metrics/metrics.hpp"
#include "store/store.hpp"

namespace parley::server::chat {

/// The hub's shared parts. Every reference outlives the hub; `catalog` and `registry` are
/// thread-safe, the services are as their headers say.
struct hub_context {
    message_store& store;
    message_bus& bus;
    directory& names;
    server_metrics& metrics;
    chat::clock& clock;
    const hub_options& options;
    channel_catalog& catalog;
    connection_registry& registry;
    /// Expires with the hub: a delayed call (chat::clock) that finds it gone does nothing.
    std::weak_ptr<void> life;
};

/// The owner key of `c`'s messages: "a:<account id>", or "g:<session id>" for a guest.
inline std::string owner_key(const connection& c) {
    const auto& s = c.state();
    return s.account_id ? "a:" + std::to_string(*s.account_id) : "g:" + c.session_id();
}

}  // namespace parley::server::chat
