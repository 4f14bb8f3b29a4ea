#pragma once
// Puts a server's two sources of stream events back in one order: its own commits, which
// reach it from the storage thread with their positions, and the events table read by its
// stream reader, which holds every server's. Positions are dense (docs/architecture/stream.md),
// so the next one to deliver is always known: an event ahead of it waits until the gap is
// filled, one behind it was delivered already.
//
// Another server's event is delivered as soon as its turn comes. This server's own event
// is delivered from its own copy, which carries the echo (the sender's receipt), so the
// sender gets its receipt in stream order too; the read copy of it only holds its place.
// Should the own copy never come (a commit that failed as far as this server knew but went
// through), the read copy is delivered once it waited `patience`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "bus/bus.hpp"

namespace parley::server {

/// Thread-safe. `deliver` is called in position order, under the sequencer's lock: it must
/// only hand the event on (post it to the channel's strand).
class stream_sequencer {
public:
    using deliver_fn = std::function<void(channel_event)>;
    using clock = std::chrono::steady_clock;

    explicit stream_sequencer(deliver_fn deliver, clock::duration patience = std::chrono::seconds(2))
        : deliver_(std::move(deliver)), patience_(patience) {}

    /// The position after which delivery starts (the stream's head when the server started).
    void start_after(std::int64_t position);
    /// This server's own event: committed here, with its echo.
    void own(channel_event event);
    /// An event read from the stream at `now`; `ours`: this server wrote it.
    void read(channel_event event, bool ours = false, clock::time_point now = clock::now());
    /// Delivers a read copy of our own event that waited past the patience (the reader
    /// calls it after each wait).
    void release_overdue(clock::time_point now = clock::now());

    /// The newest position delivered.
    std::int64_t delivered() const;
    /// Events waiting for an earlier position.
    std::size_t waiting() const;
    /// The position the stream must be read from for the waiting events to go: the first
    /// one not delivered.
    std::int64_t next() const;

private:
    /// An event waiting for its turn; `placeholder`: the read copy of our own event, which
    /// waits for the own copy (until `read_at` + patience).
    struct pending {
        channel_event event;
        bool placeholder = false;
        clock::time_point read_at{};
    };
    void deliver_ready(clock::time_point now);  // under mutex_

    deliver_fn deliver_;
    clock::duration patience_;
    mutable std::mutex mutex_;
    std::int64_t next_ = 1;                ///< the next position to deliver
    std::map<std::int64_t, pending> ahead_;  ///< events not delivered yet, by position
};

}  // namespace parley::server
