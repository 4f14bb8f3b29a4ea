#include "proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace parley::bench {

std::optional<double> process_cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    // After comm: state(3) ... utime is field 14, stime 15; fields(3) is the first here.
    for (int n = 3; n <= 15 && fields >> field; ++n) {
        if (n == 14) utime = std::stoull(field);
        if (n == 15) stime = std::stoull(field);
    }
    if (!fields) return std::nullopt;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<std::uint64_t> process_rss_bytes(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            std::istringstream value(line.substr(6));
            std::uint64_t kib = 0;
            if (value >> kib) return kib * 1024;
        }
    }
    return std::nullopt;
}

double own_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

fd_limit_report raise_fd_limit(std::uint64_t wanted) {
    fd_limit_report report;
    report.wanted = wanted;
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur >= wanted) {
        report.granted = limit.rlim_cur;
        return report;
    }
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (raised.rlim_max < wanted) raised.rlim_max = wanted;  // needs CAP_SYS_RESOURCE
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
        // Without the privilege, the hard limit is as far as we may go.
        raised = limit;
        raised.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &raised);
    }
    getrlimit(RLIMIT_NOFILE, &limit);
    report.granted = limit.rlim_cur;
    if (report.granted < wanted) {
        report.note = "RLIMIT_NOFILE is " + std::to_string(report.granted) + " but " +
                      std::to_string(wanted) +
                      " descriptors are wanted: raise it (ulimit -n, or run as root); "
                      "connections beyond it will fail and be counted";
    }
    return report;
}

std::int64_t now_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

}  // namespace parley::bench
