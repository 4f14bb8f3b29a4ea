#pragma once
// Many benchmark clients on one epoll loop: connect in batches, upgrade, read the
// connect frames, identify, answer heartbeats, and hand `message` frames to the
// workload. One thread owns a pool and everything in it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ws_client_codec.hpp"

namespace parley::bench {

/// Where a client is in its life; connecting..identifying are "in handshake".
enum class client_state { idle, connecting, upgrading, joining, identifying, ready, closing, closed, failed };

/// Why a client failed before it was ready, or was lost after.
enum class failure_kind {
    connect_error,      ///< socket() or connect() failed (refused, EMFILE, no ports)
    upgrade_refused,    ///< the HTTP answer was not 101 Switching Protocols
    closed_by_server,   ///< EOF, reset or a close frame we did not ask for
    identity_refused,   ///< `identity` answered success:false, or an `error` in the handshake
    handshake_timeout,  ///< not ready within the handshake timeout or the connect deadline
    protocol_error,     ///< a frame no server may send, or JSON the codec refused
    send_overflow,      ///< our own queue to the server grew past its bound
};
inline constexpr std::size_t failure_kind_count = 7;

/// The lower-case name of a failure kind, for reports.
std::string_view to_string(failure_kind kind);

/// A `message` frame as the workload sees it: views into the receive buffer, valid only
/// during the callback.
struct message_view {
    std::string_view text;
    std::string_view nonce;  ///< empty unless this is the echo to its sender
};

/// One client. Owned by its pool; the workload reads it and uses `tag`.
struct bench_client {
    int fd = -1;
    client_state state = client_state::idle;
    std::string channel;
    std::string user;
    std::string pending;    ///< received bytes of an unfinished frame or HTTP head
    std::string fragments;  ///< a fragmented text message being assembled
    bool fragmented = false;
    std::string out;  ///< bytes queued for the server, `out_sent` of them written
    std::size_t out_sent = 0;
    bool dirty = false;             ///< in the pool's flush list
    bool waiting_writable = false;  ///< registered for EPOLLOUT
    std::int64_t started_ns = 0;
    std::uint64_t messages_received = 0;
    int tag = -1;  ///< the workload's own (e.g. sender slot)
    std::size_t endpoint = 0;  ///< index into the pool's endpoints (i % their number)
};

/// What a workload does with the traffic. Called on the pool's thread.
class pool_events {
public:
    virtual ~pool_events() = default;
    /// A `message` frame for client `index`, read at `now` (ns, monotonic).
    virtual void on_message(std::size_t index, const message_view& message, std::int64_t now) = 0;
    /// An `error` frame for a ready client; `ref` is empty when it has none.
    virtual void on_error(std::size_t index, std::string_view code, std::string_view ref);
    /// Once per loop turn while `run_until` runs; returns when it next wants a call (ns),
    /// or 0 for no particular time.
    virtual std::int64_t on_tick(std::int64_t now);
};

/// Tunables of a pool.
struct pool_config {
    std::string host = "127.0.0.1";  ///< IPv4 loopback address
    std::uint16_t port = 0;
    /// Several server nodes: client i connects to endpoints[i % size()]; empty means
    /// host:port alone.
    std::vector<std::pair<std::string, std::uint16_t>> endpoints;
    /// Clients in handshake at once: well under the kernel's listen backlog (often 4096)
    /// and small enough that a slow accept loop is not mistaken for a dead server.
    std::size_t handshake_batch = 256;
    /// A handshake slower than this on loopback means the server is stuck or shedding.
    std::int64_t handshake_timeout_ns = 15'000'000'000;
    /// Our own per-client queue bound; bench clients send little, so more means a stuck socket.
    std::size_t max_out_bytes = 1 << 20;
    /// Largest server frame accepted; histories of the bench's short messages are far smaller.
    std::size_t max_frame_bytes = 512 * 1024;
};

/// What the pool saw, for the results block.
struct pool_counters {
    std::array<std::uint64_t, failure_kind_count> failed_before_ready{};
    std::array<std::uint64_t, failure_kind_count> lost_after_ready{};
    std::vector<std::string> failure_samples;          ///< the first few failure details
    std::map<std::string, std::uint64_t> error_codes;  ///< `error` frames by code
    std::map<int, std::uint64_t> close_codes;          ///< close frames from the server by code
    std::uint64_t message_frames = 0;
    std::uint64_t heartbeats_answered = 0;
    std::uint64_t presence_frames = 0;
    std::uint64_t other_frames = 0;
    std::string server_name;  ///< `server` of the first `connection` frame
    int heartbeat_ms = 0;
};

/// The clients of one workload and the loop that drives them. Not copyable; one thread.
class client_pool {
public:
    client_pool(pool_config config, pool_events& events);
    ~client_pool();
    client_pool(const client_pool&) = delete;
    client_pool& operator=(const client_pool&) = delete;

    /// Adds a client that will join `channel` and identify as `user`; returns its index.
    /// Only before `connect_all`.
    std::size_t add(std::string channel, std::string user);

    /// Connects every added client, at most `handshake_batch` in handshake at a time,
    /// until each is ready or failed; those not ready by `deadline_ns` fail as timeouts.
    void connect_all(std::int64_t deadline_ns);

    /// Runs the loop until `until_ns`, calling `on_tick` each turn.
    void run_until(std::int64_t until_ns);

    /// Runs the loop until `done()` holds or `until_ns` passes; returns whether `done()` held.
    template <class Pred>
    bool run_until(std::int64_t until_ns, Pred done) {
        while (!done()) {
            if (!turn_until(until_ns)) return done();
        }
        return true;
    }

    /// Queues a text frame for client `index`; written at the end of the loop turn.
    void send_text(std::size_t index, std::string_view json);

    /// Sends close frames to every open client and waits for the server to close, at most
    /// until `deadline_ns`; the rest are reset.
    void close_all(std::int64_t deadline_ns);

    /// Server endpoints the clients are spread over (at least 1).
    std::size_t endpoint_count() const { return config_.endpoints.size(); }
    /// Clients added, whatever their state.
    std::size_t size() const { return clients_.size(); }
    /// Clients identified and still open.
    std::size_t ready_count() const { return ready_; }
    /// Client `index`; the workload may read it and set `tag`, never its socket state.
    const bench_client& client(std::size_t index) const { return clients_[index]; }
    bench_client& client(std::size_t index) { return clients_[index]; }
    /// What the loop has seen so far.
    const pool_counters& counters() const { return counters_; }

    /// Total clients that failed before ready / were lost after.
    std::uint64_t failed_before_ready() const;
    std::uint64_t lost_after_ready() const;
    /// One line per non-zero failure kind plus the first samples, for the results block.
    std::string failure_report() const;

private:
    bool turn_until(std::int64_t until_ns);
    void turn(int timeout_ms);
    void start(std::size_t index);
    void on_connected(std::size_t index);
    void on_readable(std::size_t index);
    void consume(std::size_t index, std::string_view data, std::int64_t now);
    void on_frame(std::size_t index, const server_frame_header& header, std::string_view payload,
                  std::int64_t now);
    void on_text(std::size_t index, std::string_view payload, std::int64_t now);
    void on_slow_text(std::size_t index, std::string_view payload, std::int64_t now);
    void on_close_frame(std::size_t index, std::string_view payload);
    void on_eof(std::size_t index, std::string_view why);
    void send_frame(std::size_t index, ws_opcode opcode, std::string_view payload);
    void flush(std::size_t index);
    void flush_dirty();
    void become_ready(std::size_t index);
    void fail(std::size_t index, failure_kind kind, std::string detail);
    void release(std::size_t index, client_state final_state, bool reset);
    void watch(std::size_t index, bool writable);
    void check_handshake_timeouts(std::int64_t now);
    std::uint32_t next_mask();

    pool_config config_;
    pool_events& events_;
    int epoll_fd_ = -1;
    std::vector<bench_client> clients_;
    std::vector<std::size_t> dirty_;
    std::vector<char> scratch_;
    std::vector<std::string> host_ports_;  ///< "host:port" of each endpoint
    std::size_t next_to_start_ = 0;
    std::size_t in_handshake_ = 0;
    std::size_t ready_ = 0;
    std::size_t open_ = 0;
    std::uint64_t rng_ = 0x2545F4914F6CDD1DULL;
    pool_counters counters_;
};

}  // namespace parley::bench
