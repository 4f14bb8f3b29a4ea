#pragma once
// The server's counters, shared by every thread. Plain relaxed atomics: they are
// read only to render /metrics, so no ordering between them is promised.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "metrics/frame_kind.hpp"
#include "parley/core/error_code.hpp"

namespace parley::server {

/// A fixed-bucket latency histogram (seconds), lock-free to observe.
class latency_histogram {
public:
    /// Upper bounds in seconds; the last bucket is +Inf. Spans 50 us (a batched WAL commit)
    /// to 1 s (a stalled disk).
    static constexpr std::array<double, 12> bounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                      0.005,   0.01,   0.025,   0.1,    0.25,  1.0};

    /// Records one observation; any thread.
    void observe(double seconds) {
        std::size_t i = 0;
        while (i < bounds.size() && seconds > bounds[i]) ++i;
        buckets_[i].fetch_add(1, std::memory_order_relaxed);
        count_.fetch_add(1, std::memory_order_relaxed);
        sum_us_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
    }

    /// Observations in bucket `i` alone (not cumulative); `i == bounds.size()` is +Inf.
    std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
    std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    double sum_seconds() const { return static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6; }

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_us_{0};
};

/// Every figure /metrics exposes. One instance per server, owned by it; any thread may update.
struct server_metrics {
    std::atomic<std::int64_t> connections_open{0};        ///< WebSocket connections now
    std::atomic<std::uint64_t> connections_total{0};      ///< WebSocket connections ever accepted
    std::atomic<std::int64_t> channels_active{0};         ///< channels with at least one connection
    std::atomic<std::uint64_t> messages_stored{0};        ///< messages committed to the store
    /// Chat frames (frame_kind::chat: message, edited, deleted, typing, presence, online)
    /// queued to a reader's connection: one per reader per event, the figure of fan-out.
    std::atomic<std::uint64_t> deliveries{0};
    /// Every frame queued to a connection, by frame_kind (chat equals `deliveries`).
    std::array<std::atomic<std::uint64_t>, all_frame_kinds.size()> frames_queued{};
    std::atomic<std::uint64_t> slow_consumers_dropped{0}; ///< connections closed over their queue bound
    std::atomic<std::uint64_t> http_requests{0};          ///< plain HTTP requests answered
    std::array<std::atomic<std::uint64_t>, std::size(all_error_codes)> protocol_errors{};  ///< by code
    latency_histogram store_batch_seconds;                ///< time to commit one storage batch
    /// Whether the store's last contact with its database succeeded, and when the last
    /// success was (steady clock, ms since its epoch): what /readyz answers from.
    std::atomic<bool> store_reachable{false};
    std::atomic<std::int64_t> store_reached_at_ms{0};

    /// Servers sharing a database: this one's name (--node-name), set before the server
    /// starts and never changed, and its event stream (docs/architecture/stream.md). The
    /// stream's head is the newest position the stream reader saw in the database, delivered
    /// the newest one handed to the channels here; read_at when the reader last read
    /// (steady ms; /readyz fails when that is old: a node that is up but deaf).
    std::string node_name;
    std::atomic<bool> stream_enabled{false};
    std::atomic<std::int64_t> stream_head{0};
    std::atomic<std::int64_t> stream_delivered{0};
    std::atomic<std::int64_t> stream_read_at_ms{0};
    std::atomic<std::uint64_t> stream_reads{0};           ///< reads of the events table
    std::atomic<std::uint64_t> stream_events_lost{0};     ///< events pruned before this node read them
    std::atomic<std::uint64_t> stream_replays_short{0};   ///< joins whose replay went past what a shard keeps

    /// Records a contact of the store with its database. The storage thread.
    void note_store_contact(bool reached) {
        store_reachable.store(reached, std::memory_order_relaxed);
        if (reached) store_reached_at_ms.store(steady_now_ms(), std::memory_order_relaxed);
    }
    /// The steady clock in milliseconds, as store_reached_at_ms holds it.
    static std::int64_t steady_now_ms() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }

    /// Counts one frame of `kind` accepted into a connection's send queue. Any thread.
    void count_frame(frame_kind kind) {
        frames_queued[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
        if (kind == frame_kind::chat) deliveries.fetch_add(1, std::memory_order_relaxed);
    }

    /// Counts one `error` frame sent with `code`.
    void count_error(error_code code) {
        protocol_errors[static_cast<std::size_t>(code)].fetch_add(1, std::memory_order_relaxed);
    }
};

/// The Prometheus text exposition (format 0.0.4) of `m`.
std::string render_prometheus(const server_metrics& m);

}  // namespace parley::server
