#pragma once
// One channel's live state: who is connected and which names are online.
// Owned by the channel's shard and used on its strand only.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/connection.hpp"

namespace parley::server::chat {

/// A name online in a room, with the number of its connections there.
struct online_name {
    std::string display;
    int connections = 0;
    bool is_account = false;    ///< an account's name (may be online on several connections)
    std::int64_t last_typing_ms = 0;  ///< when a typing notice of this name was last relayed
};

/// The live state of a channel. Members are weak: a room never keeps a connection alive.
/// A member's name is the shard's copy (the connection's own state lives on its home strand).
struct room {
    struct member {
        std::weak_ptr<connection> weak;
        connection* raw = nullptr;  ///< identity for lookup and removal only
        std::string folded;         ///< its name's uniqueness key; empty while unnamed
        bool is_account = false;
        /// The stream position its history read saw: events up to it were in that history,
        /// so they are not delivered to it again (0: no stream, nothing to skip).
        std::int64_t seen_through = 0;
    };
    std::vector<member> members;                          ///< every connection in the channel
    std::unordered_map<std::string, online_name> names;   ///< folded name -> online entry
    /// Names a connection of the room is claiming (identity's first phase): folded -> who.
    /// Taken for everyone else until the claim is committed or released.
    std::unordered_map<std::string, const connection*> claims;

    member* find(const connection* c) {
        for (auto& m : members)
            if (m.raw == c) return &m;
        return nullptr;
    }
    bool has_member(const connection* c) const {
        for (const auto& m : members)
            if (m.raw == c) return true;
        return false;
    }
    /// Distinct online names: the `online` count of the protocol.
    int online() const { return static_cast<int>(names.size()); }

    /// Big channels only (hub_options::presence_names_up_to): when the last `online` count
    /// went out, and whether the count changed since (the channel is in the shard's list).
    std::int64_t last_count_ms = 0;
    bool count_changed = false;
};

}  // namespace parley::server::chat
