#pragma once
// Which channels exist, for the whole server: the channels with history (as the store last
// listed them, plus those posted to since) and the live ones (a connection is in them or
// joining), with their online counts, and, with servers sharing a database, the channels
// with names online only on the others. Answers `channels` pages and counts --max-channels
// without visiting any shard.

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "parley/core/messages.hpp"

namespace parley::server::chat {

/// The channel catalog. Owned by the hub; every member is thread-safe (one mutex, held for
/// a lookup or an update, never during I/O): homes, shards and store completions call it.
class channel_catalog {
public:
    /// `max_channels`: how many channels may exist at once (hub_options::max_channels).
    explicit channel_catalog(int max_channels) : max_channels_(max_channels) {}

    /// A join's claim on `channel` (home strand, before the history read). True when the
    /// channel exists or may come into being; the claim then counts it as live until
    /// release(). False: the server has max_channels channels and this would be a new one.
    bool claim(const std::string& channel);
    /// Gives back a claim: the join was refused, or the member left (its shard).
    void release(const std::string& channel);
    /// The channel's number of distinct online names changed (its shard).
    void set_online(const std::string& channel, int online);
    /// How many names are online in `channel` on the other servers (its shard): a channel
    /// with no one here is listed with that count; 0 forgets it.
    void set_online_elsewhere(const std::string& channel, int online);
    /// A message was stored in `channel` (its shard, on the post's completion).
    void mark_stored(const std::string& channel);
    /// Replaces the stored channels with the store's list (the periodic reload).
    void set_stored(const std::vector<std::string>& names);
    /// One page of the channel list: stored and live channels by name, after `after`.
    channel_list page(const channels_request& request) const;
    /// Channels that exist now: stored ones and live ones without history.
    int count() const;

private:
    struct live_channel {
        int claims = 0;  ///< members and joins in flight
        int online = 0;
    };
    int count_locked() const { return static_cast<int>(stored_.size()) + live_unstored_; }

    const int max_channels_;
    mutable std::mutex mutex_;
    std::set<std::string> stored_;               ///< channels with history, sorted
    std::map<std::string, live_channel> live_;   ///< channels with a claim, sorted
    int live_unstored_ = 0;                      ///< live channels not in stored_
    std::map<std::string, int> elsewhere_;       ///< names online on other servers alone, sorted
};

}  // namespace parley::server::chat
