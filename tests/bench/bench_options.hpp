#pragma once
// Command-line options of parley-bench and their per-workload defaults.

#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace parley::bench {

/// Everything a workload run needs to know; filled by `parse_options`.
struct bench_options {
    std::string workload;  ///< "w1", "w2" or "w3"
    std::string url;       ///< as given, for the report
    std::string host = "127.0.0.1";  ///< the first URL's
    std::uint16_t port = 0;          ///< the first URL's
    /// Every URL of `--url a,b,...` (one per server node); client i goes to i % size().
    std::vector<std::pair<std::string, std::uint16_t>> endpoints;
    int clients = 0;                ///< total connections
    int channels = 0;               ///< channels they are spread over
    int senders = 0;                ///< w1: clients that post
    int inflight = 0;               ///< w1: messages each sender keeps unacknowledged
    double rate = 0;                ///< w2: messages per second per client
    double seconds = 0;             ///< measured time (w1, w2) or idle time before the RSS reading (w3)
    double warmup = 0;              ///< unmeasured time before the window (w1, w2)
    int text_bytes = 0;             ///< length of each message's text
    std::size_t batch = 0;          ///< handshakes in flight at once
    double connect_timeout = 0;     ///< seconds for all clients to become ready
    double min_ready_fraction = 0;  ///< below it the workload could not run
    pid_t server_pid = 0;           ///< 0: server CPU / RSS not reported (w3 requires it); the first pid
    std::vector<pid_t> server_pids;  ///< every pid of `--server-pid a,b,...`; CPU is their sum
};

/// Parses argv. On error or --help returns nullopt after printing to stderr / stdout;
/// `exit_code` is then 2 (usage error) or 0 (help).
std::optional<bench_options> parse_options(int argc, char** argv, int& exit_code);

}  // namespace parley::bench
