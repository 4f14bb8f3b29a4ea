#pragma once
// What the benchmark reads about processes from /proc, and the file-descriptor limit.
// Values, not exceptions: a missing process is an empty optional.

#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string>

namespace parley::bench {

/// CPU time (user + system) a process has used, in seconds; nullopt if it is gone.
std::optional<double> process_cpu_seconds(pid_t pid);

/// A process's resident set size in bytes (VmRSS); nullopt if it is gone.
std::optional<std::uint64_t> process_rss_bytes(pid_t pid);

/// CPU time used by this process so far, in seconds.
double own_cpu_seconds();

/// Result of asking for enough descriptors.
struct fd_limit_report {
    std::uint64_t wanted = 0;
    std::uint64_t granted = 0;  ///< the soft limit now in force
    std::string note;           ///< empty when `granted >= wanted`, else what to do
};

/// Raises RLIMIT_NOFILE (soft, and hard when allowed) to at least `wanted` if it can.
fd_limit_report raise_fd_limit(std::uint64_t wanted);

/// Monotonic time in nanoseconds; the one clock used for every latency.
std::int64_t now_ns();

}  // namespace parley::bench
