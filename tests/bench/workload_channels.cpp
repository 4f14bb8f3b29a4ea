// W2, many channels: clients spread evenly over channels, each posting at a steady rate,
// the posts of all clients spread evenly in time (an open loop: the schedule does not
// wait for the server, so a slow server shows as latency, not as fewer posts).
// Measures delivery latency and the server's CPU.

#include <cstdio>
#include <string>
#include <vector>

#include "latency_recorder.hpp"
#include "parley/core/codec.hpp"
#include "proc_stats.hpp"
#include "workload_common.hpp"

namespace parley::bench {
namespace {

class channels_workload final : public pool_events {
public:
    explicit channels_workload(const bench_options& options) : options_(options) {}

    void attach(client_pool& pool, std::vector<std::string> channel_names) {
        pool_ = &pool;
        channel_names_ = std::move(channel_names);
        sent_per_channel_.assign(channel_names_.size(), 0);
    }

    /// Starts the schedule now; the measured window is [start, end), posting stops at end.
    void begin(std::int64_t window_start, std::int64_t window_end) {
        window_start_ = window_start;
        window_end_ = window_end;
        schedule_start_ = now_ns();
        period_ns_ = static_cast<std::int64_t>(1e9 / options_.rate);
        sending_ = true;
    }

    std::int64_t on_tick(std::int64_t now) override {
        if (!sending_) return 0;
        if (!meter_ && now >= window_start_) meter_.emplace(options_.server_pids);
        // Client k of n posts at start + round * period + k * period / n: the posts of
        // all clients are evenly spaced, each client posts once per period.
        const auto n = static_cast<std::int64_t>(pool_->size());
        while (true) {
            const std::int64_t due = schedule_start_ + round_ * period_ns_ + cursor_ * period_ns_ / n;
            if (due > now || due >= window_end_) return due < window_end_ ? due : window_end_;
            post(static_cast<std::size_t>(cursor_));
            if (++cursor_ == n) {
                cursor_ = 0;
                ++round_;
            }
        }
    }

    void end_window() {
        sending_ = false;
        if (!meter_) meter_.emplace(options_.server_pids);
        meter_->stop();
    }

    void on_message(std::size_t index, const message_view& m, std::int64_t now) override {
        if (!m.nonce.empty()) ++echoes_;
        if (now < window_start_ || now >= window_end_) return;
        ++deliveries_;
        const auto sender_client = [](int sender) -> std::optional<std::size_t> {
            if (sender < 0) return std::nullopt;
            return static_cast<std::size_t>(sender);
        };
        if (!latency_.record(*pool_, index, m.text, now, sender_client)) ++foreign_;
    }

    void on_error(std::size_t, std::string_view, std::string_view) override { ++errors_; }

    std::uint64_t sent() const { return sent_; }
    std::uint64_t sent_in(std::size_t channel) const { return sent_per_channel_[channel]; }
    std::uint64_t echoes() const { return echoes_; }
    std::uint64_t deliveries() const { return deliveries_; }
    std::uint64_t errors() const { return errors_; }
    std::uint64_t foreign() const { return foreign_; }
    const delivery_latency& latency() const { return latency_; }
    const std::optional<cpu_meter>& meter() const { return meter_; }
    double window_seconds() const { return static_cast<double>(window_end_ - window_start_) / 1e9; }

private:
    void post(std::size_t index) {
        bench_client& c = pool_->client(index);
        if (c.state != client_state::ready) return;
        const auto channel = static_cast<std::size_t>(c.tag);
        ++seq_;
        client_frame frame{post_message{c.channel, make_text(now_ns(), static_cast<int>(index), seq_, options_.text_bytes)},
                           "n" + std::to_string(seq_)};
        pool_->send_text(index, parley::encode(frame));
        ++sent_;
        ++sent_per_channel_[channel];
    }

    const bench_options& options_;
    client_pool* pool_ = nullptr;
    std::vector<std::string> channel_names_;
    std::vector<std::uint64_t> sent_per_channel_;
    bool sending_ = false;
    std::int64_t window_start_ = 0, window_end_ = 0, schedule_start_ = 0, period_ns_ = 1;
    std::int64_t round_ = 0, cursor_ = 0;
    std::uint64_t seq_ = 0;
    std::optional<cpu_meter> meter_;
    delivery_latency latency_;
    std::uint64_t sent_ = 0, echoes_ = 0, deliveries_ = 0, errors_ = 0, foreign_ = 0;
};

}  // namespace

int run_channels(const bench_options& options) {
    channels_workload workload(options);
    client_pool pool(make_pool_config(options), workload);
    const std::string tag = run_tag();
    std::vector<std::string> names;
    for (int k = 0; k < options.channels; ++k) names.push_back("w2-" + tag + "-" + std::to_string(k));
    // Client i joins channel (i + i / channels) % channels: consecutive posts in the
    // schedule go to different channels, each block of `channels` clients puts one in
    // every channel, and a channel's members are spread over every node (client i is a
    // client of node i % nodes; with i % channels alone, an even number of nodes and of
    // channels put every channel's members on one node, and nothing crossed).
    for (int i = 0; i < options.clients; ++i) {
        const int channel = (i + i / options.channels) % options.channels;
        const std::size_t index = pool.add(names[static_cast<std::size_t>(channel)], "b" + std::to_string(i));
        pool.client(index).tag = channel;
    }
    workload.attach(pool, names);
    const std::string title = std::to_string(options.clients) + " clients in " +
                              std::to_string(options.channels) + " channels, " +
                              format_optional(options.rate, 2) + " msg/s each";
    if (!connect_clients(pool, options, "many channels, " + title)) return 1;

    pool.run_until(now_ns() + 500'000'000);  // presence notices of the joins drain
    const std::int64_t start = now_ns();
    const std::int64_t window_start = start + static_cast<std::int64_t>(options.warmup * 1e9);
    const std::int64_t window_end = window_start + static_cast<std::int64_t>(options.seconds * 1e9);
    workload.begin(window_start, window_end);
    pool.run_until(window_end);
    workload.end_window();

    // Expected at the end: every ready member of a channel holds every post made in it.
    auto missing_now = [&] {
        std::uint64_t missing = 0;
        for (std::size_t i = 0; i < pool.size(); ++i) {
            const bench_client& c = pool.client(i);
            const std::uint64_t expected = workload.sent_in(static_cast<std::size_t>(c.tag));
            if (c.state == client_state::ready && c.messages_received < expected)
                missing += expected - c.messages_received;
        }
        return missing;
    };
    const bool complete = pool.run_until(
        now_ns() + 5'000'000'000, [&] { return workload.echoes() >= workload.sent() && missing_now() == 0; });
    const std::uint64_t missing = missing_now();
    const std::uint64_t dropped = pool.lost_after_ready();
    pool.close_all(now_ns() + 2'000'000'000);

    window_report report;
    report.workload = "w2";
    report.shape = "channels=" + std::to_string(options.channels) + " rate=" + format_optional(options.rate, 2);
    report.clients = options.clients;
    report.warmup_s = options.warmup;
    take_counters(report, workload);
    report.server_cpu = workload.meter()->server_percent();
    report.bench_cpu = workload.meter()->bench_percent();
    report.drained = complete;
    report.missing = missing;
    report.dropped = dropped;

    std::printf("posting           %.2f msg/s per client, %d-byte text, spread evenly in time\n",
                options.rate, options.text_bytes);
    const bool refused = print_window_lines(report, pool);
    if (workload.foreign() != 0)
        std::printf("WARNING           %llu texts not from this bench\n",
                    static_cast<unsigned long long>(workload.foreign()));
    print_result_line(report, pool);
    return refused ? 1 : 0;
}

}  // namespace parley::bench
