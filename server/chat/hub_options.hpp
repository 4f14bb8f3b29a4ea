#pragma once
// The hub's settings (server::make_hub_options fills them from the configuration).

#include <chrono>
#include <cstddef>
#include <string>

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
    /// Strands the channels are spread over (hash of the name). 1 serialises every channel,
    /// as before sharding; the server uses 4 per I/O thread (server.cpp says why).
    std::size_t shards = 1;
};

}  // namespace parley::server::chat
