#pragma once
// What the three workloads share: connecting the pool and reporting on it, the
// timestamped message text, CPU meters, and number formatting for the results block.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench_options.hpp"
#include "client_pool.hpp"
#include "latency_recorder.hpp"

namespace parley::bench {

/// The three workloads; each prints its results block and returns the process exit code.
int run_fanout(const bench_options& options);
int run_channels(const bench_options& options);
int run_idle(const bench_options& options);

/// Six hex digits unique to this run, so channels of earlier runs (and their history)
/// never mix with this one.
std::string run_tag();

/// The pool's settings from the options.
pool_config make_pool_config(const bench_options& options);

/// Connects and identifies every client of `pool`, prints the connection lines of the
/// results block, and says whether enough became ready for the workload to go on.
bool connect_clients(client_pool& pool, const bench_options& options, std::string_view title);

/// Message text of exactly `bytes` bytes (if they suffice) that starts with the send
/// time: "t=<ns>;s=<sender>;q=<seq>;" padded with dots. ASCII only, so no server escapes it.
std::string make_text(std::int64_t sent_ns, int sender, std::uint64_t seq, int bytes);

/// The send time at the start of a text made by `make_text`; nullopt for any other text.
std::optional<std::int64_t> sent_time_of(std::string_view text);
/// The sender field of a text made by `make_text`; nullopt for any other text.
std::optional<int> sender_of(std::string_view text);

/// Records each delivery's latency, and apart those that crossed nodes (to a client of
/// another endpoint than the sender's): what a deployment of several nodes adds.
struct delivery_latency {
    latency_recorder all;
    latency_recorder cross;
    /// A delivery to client `receiver` of the text `text` (its sender a client index, as
    /// `sender_client` maps it), received at `now`; false when the text is not the bench's.
    template <class SenderClient>
    bool record(const client_pool& pool, std::size_t receiver, std::string_view text, std::int64_t now,
                SenderClient sender_client) {
        const auto sent = sent_time_of(text);
        if (!sent) return false;
        all.record(now - *sent);
        if (pool.endpoint_count() > 1) {
            const auto sender = sender_of(text);
            const std::optional<std::size_t> from = sender ? sender_client(*sender) : std::nullopt;
            if (from && *from < pool.size() && pool.client(*from).endpoint != pool.client(receiver).endpoint)
                cross.record(now - *sent);
        }
        return true;
    }
};

/// CPU used by the server (if its pid is known) and by the bench over a window.
class cpu_meter {
public:
    /// Starts the window now.
    explicit cpu_meter(pid_t server_pid);
    /// Starts the window now for several server processes (one per node); CPU is their sum.
    explicit cpu_meter(const std::vector<pid_t>& server_pids);
    /// Ends the window now; later calls do nothing.
    void stop();
    /// Percent of one core over the window; nullopt if the server's pid is unknown or gone.
    std::optional<double> server_percent() const;
    /// Percent of one core server process `i` (in the order given) used over the window.
    std::optional<double> server_percent(std::size_t i) const;
    /// The server processes measured.
    const std::vector<pid_t>& pids() const { return pids_; }
    /// Percent of one core this process used over the window.
    double bench_percent() const;

private:
    std::vector<pid_t> pids_;
    std::int64_t start_ns_ = 0;
    std::int64_t stop_ns_ = 0;
    std::vector<std::optional<double>> server_starts_, server_stops_;
    double bench_start_ = 0;
    double bench_stop_ = 0;
};

/// What W1 and W2 measure alike over their window, for the results block.
struct window_report {
    const char* workload = "";  ///< "w1", "w2"
    std::string shape;          ///< the workload's own RESULT fields, e.g. "senders=5 inflight=8"
    int clients = 0;
    double warmup_s = 0;
    double window_s = 0;
    std::uint64_t sent = 0;
    std::uint64_t echoes = 0;
    std::uint64_t deliveries = 0;
    const latency_recorder* latency = nullptr;
    const latency_recorder* cross_latency = nullptr;  ///< deliveries that crossed nodes
    std::optional<double> server_cpu;  ///< nullopt without --server-pid; the sum over every pid
    std::vector<std::pair<pid_t, std::optional<double>>> server_cpu_each;  ///< per pid, when several
    double bench_cpu = 0;
    bool drained = false;  ///< every echo and delivery arrived after the window
    std::uint64_t missing = 0;
    std::uint64_t dropped = 0;
    std::uint64_t errors = 0;  ///< posts the server answered with an error
};

/// Fills the counters every workload keeps under the same names.
template <class Workload>
void take_counters(window_report& report, const Workload& workload) {
    report.window_s = workload.window_seconds();
    report.sent = workload.sent();
    report.echoes = workload.echoes();
    report.deliveries = workload.deliveries();
    report.latency = &workload.latency().all;
    report.cross_latency = &workload.latency().cross;
    report.errors = workload.errors();
}

/// Prints the window's lines of the results block (window through FAILED), with the
/// pool's failure report when something is missing. True when the run failed (errors).
bool print_window_lines(const window_report& report, const client_pool& pool);

/// Prints the one-line RESULT summary the benchmark script parses.
void print_result_line(const window_report& report, const client_pool& pool);

/// "1.23" for a latency in nanoseconds shown in milliseconds.
std::string format_ms(std::uint64_t ns);
/// A value with `digits` decimals, or "n/a".
std::string format_optional(std::optional<double> value, int digits);

}  // namespace parley::bench
