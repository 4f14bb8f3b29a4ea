// W1, fan-out: every client in one channel, a few senders each keeping a fixed number of
// messages unacknowledged (a closed loop: a sender posts again when the echo of one of
// its own, recognised by nonce, comes back). Measures deliveries per second and the
// latency of every delivery in the window.

#include <cstdio>
#include <string>
#include <vector>

#include "latency_recorder.hpp"
#include "parley/core/codec.hpp"
#include "proc_stats.hpp"
#include "workload_common.hpp"

namespace parley::bench {
namespace {

class fanout_workload final : public pool_events {
public:
    explicit fanout_workload(const bench_options& options)
        : options_(options),
          outstanding_(static_cast<std::size_t>(options.senders), 0),
          seq_(static_cast<std::size_t>(options.senders), 0),
          sender_index_(static_cast<std::size_t>(options.senders), 0) {}

    void attach(client_pool& pool, std::string channel) {
        pool_ = &pool;
        channel_ = std::move(channel);
    }

    /// Makes client `index` sender `slot`.
    void set_sender(int slot, std::size_t index) {
        sender_index_[static_cast<std::size_t>(slot)] = index;
        pool_->client(index).tag = slot;
    }

    /// Fills every sender's window; the measured window is [start, end).
    void begin(std::int64_t window_start, std::int64_t window_end) {
        window_start_ = window_start;
        window_end_ = window_end;
        sending_ = true;
        for (int slot = 0; slot < options_.senders; ++slot) {
            if (pool_->client(sender_index_[static_cast<std::size_t>(slot)]).state != client_state::ready)
                continue;
            for (int k = 0; k < options_.inflight; ++k) send_next(slot);
        }
    }

    void on_message(std::size_t index, const message_view& m, std::int64_t now) override {
        if (now >= window_start_ && now < window_end_) {
            ++deliveries_;
            const auto sender_client = [this](int slot) -> std::optional<std::size_t> {
                if (slot < 0 || slot >= options_.senders) return std::nullopt;
                return sender_index_[static_cast<std::size_t>(slot)];
            };
            if (!latency_.record(*pool_, index, m.text, now, sender_client)) ++foreign_;
        }
        if (m.nonce.empty()) return;
        const int slot = pool_->client(index).tag;
        if (slot < 0 || outstanding_[static_cast<std::size_t>(slot)] == 0 || m.nonce.front() != 'n') {
            ++stray_echoes_;
            return;
        }
        --outstanding_[static_cast<std::size_t>(slot)];
        ++echoes_;
        if (sending_) send_next(slot);
    }

    void on_error(std::size_t index, std::string_view, std::string_view ref) override {
        ++errors_;
        // A refused post never echoes: free its slot (not refilled, so a rate limit
        // cannot turn the run into an error loop; the errors fail the run instead).
        const int slot = pool_->client(index).tag;
        if (slot >= 0 && !ref.empty() && outstanding_[static_cast<std::size_t>(slot)] > 0)
            --outstanding_[static_cast<std::size_t>(slot)];
    }

    std::int64_t on_tick(std::int64_t now) override {
        if (!sending_) return 0;
        if (!meter_ && now >= window_start_) meter_.emplace(options_.server_pids);
        return now < window_start_ ? window_start_ : window_end_;
    }

    /// Stops posting and closes the CPU window; called when the window's time is up.
    void end_window() {
        sending_ = false;
        if (!meter_) meter_.emplace(options_.server_pids);  // a zero-length window reads as 0
        meter_->stop();
    }

    bool all_echoed() const {
        for (auto n : outstanding_)
            if (n != 0) return false;
        return true;
    }

    std::uint64_t sent() const { return sent_; }
    std::uint64_t echoes() const { return echoes_; }
    std::uint64_t deliveries() const { return deliveries_; }
    std::uint64_t errors() const { return errors_; }
    std::uint64_t stray_echoes() const { return stray_echoes_; }
    std::uint64_t foreign() const { return foreign_; }
    const delivery_latency& latency() const { return latency_; }
    const std::optional<cpu_meter>& meter() const { return meter_; }
    double window_seconds() const { return static_cast<double>(window_end_ - window_start_) / 1e9; }

private:
    void send_next(int slot) {
        const auto s = static_cast<std::size_t>(slot);
        const std::uint64_t seq = ++seq_[s];
        client_frame frame{post_message{channel_, make_text(now_ns(), slot, seq, options_.text_bytes)},
                           "n" + std::to_string(seq)};
        pool_->send_text(sender_index_[s], parley::encode(frame));
        ++outstanding_[s];
        ++sent_;
    }

    const bench_options& options_;
    client_pool* pool_ = nullptr;
    std::string channel_;
    std::vector<int> outstanding_;
    std::vector<std::uint64_t> seq_;
    std::vector<std::size_t> sender_index_;
    bool sending_ = false;
    std::int64_t window_start_ = 0;
    std::int64_t window_end_ = 0;
    std::optional<cpu_meter> meter_;
    delivery_latency latency_;
    std::uint64_t sent_ = 0, echoes_ = 0, deliveries_ = 0, errors_ = 0, stray_echoes_ = 0, foreign_ = 0;
};

}  // namespace

int run_fanout(const bench_options& options) {
    fanout_workload workload(options);
    client_pool pool(make_pool_config(options), workload);
    const std::string channel = "w1-" + run_tag();
    workload.attach(pool, channel);
    for (int i = 0; i < options.clients; ++i) pool.add(channel, "b" + std::to_string(i));
    if (!connect_clients(pool, options,
                         "fan-out, " + std::to_string(options.clients) + " clients in one channel"))
        return 1;
    // Senders are spread over the join order, so none is special to the server. With
    // several nodes every sender is a client of the first URL (an index that is a
    // multiple of the number of URLs), so most deliveries cross nodes.
    const int nodes = static_cast<int>(pool.endpoint_count());
    const int stride = options.clients / options.senders;
    for (int slot = 0; slot < options.senders; ++slot) {
        // parse_options made sure senders x nodes <= clients, so these stay distinct.
        const int index = stride >= nodes ? slot * stride / nodes * nodes : slot * nodes;
        workload.set_sender(slot, static_cast<std::size_t>(index));
    }

    // Let the presence notices of the joins drain before the clock starts.
    pool.run_until(now_ns() + 500'000'000);
    const std::int64_t start = now_ns();
    const std::int64_t window_start = start + static_cast<std::int64_t>(options.warmup * 1e9);
    const std::int64_t window_end = window_start + static_cast<std::int64_t>(options.seconds * 1e9);
    workload.begin(window_start, window_end);
    pool.run_until(window_end);
    workload.end_window();

    // Drain: every echo back, and every ready client holding every message sent.
    auto drained = [&] {
        if (!workload.all_echoed()) return false;
        for (std::size_t i = 0; i < pool.size(); ++i) {
            const bench_client& c = pool.client(i);
            if (c.state == client_state::ready && c.messages_received < workload.sent()) return false;
        }
        return true;
    };
    const bool complete = pool.run_until(now_ns() + 5'000'000'000, drained);
    std::uint64_t missing = 0;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const bench_client& c = pool.client(i);
        if (c.state == client_state::ready && c.messages_received < workload.sent())
            missing += workload.sent() - c.messages_received;
    }
    const std::uint64_t dropped = pool.lost_after_ready();
    pool.close_all(now_ns() + 2'000'000'000);

    window_report report;
    report.workload = "w1";
    report.shape = "senders=" + std::to_string(options.senders) + " inflight=" + std::to_string(options.inflight);
    report.clients = options.clients;
    report.warmup_s = options.warmup;
    take_counters(report, workload);
    report.server_cpu = workload.meter() ? workload.meter()->server_percent() : std::nullopt;
    report.bench_cpu = workload.meter() ? workload.meter()->bench_percent() : 0;
    if (workload.meter() && workload.meter()->pids().size() > 1)
        for (std::size_t i = 0; i < workload.meter()->pids().size(); ++i)
            report.server_cpu_each.emplace_back(workload.meter()->pids()[i], workload.meter()->server_percent(i));
    report.drained = complete;
    report.missing = missing;
    report.dropped = dropped;

    std::printf("senders           %d x %d in flight, %d-byte text\n", options.senders, options.inflight,
                options.text_bytes);
    const bool refused = print_window_lines(report, pool);
    if (workload.stray_echoes() != 0 || workload.foreign() != 0)
        std::printf("WARNING           %llu echoes without a pending nonce, %llu texts not from this bench\n",
                    static_cast<unsigned long long>(workload.stray_echoes()),
                    static_cast<unsigned long long>(workload.foreign()));
    print_result_line(report, pool);
    return refused ? 1 : 0;
}

}  // namespace parley::bench
