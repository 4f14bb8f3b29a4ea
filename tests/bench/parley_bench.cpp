// parley-bench: load generator for a Parley-protocol server on loopback. One thread, one
// epoll loop, its own client-side WebSocket framing, so that it can read over a million
// frames a second while sharing a small machine with the server it measures.
// See docs/benchmarks.md for the workloads and how to read the results.

#include <csignal>

#include "bench_options.hpp"
#include "workload_common.hpp"

int main(int argc, char** argv) {
    int exit_code = 0;
    const auto options = parley::bench::parse_options(argc, argv, exit_code);
    if (!options) return exit_code;
    // A server that resets a socket must not kill the bench; send() errors are handled.
    std::signal(SIGPIPE, SIG_IGN);
    if (options->workload == "w1") return parley::bench::run_fanout(*options);
    if (options->workload == "w2") return parley::bench::run_channels(*options);
    return parley::bench::run_idle(*options);
}
