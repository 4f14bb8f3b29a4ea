#include "workload_common.hpp"

#include <unistd.h>
#include <cstdio>

#include "proc_stats.hpp"

namespace parley::bench {

std::string run_tag() {
    const auto mix = static_cast<std::uint64_t>(now_ns()) ^ (static_cast<std::uint64_t>(getpid()) << 20);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06llx",
                  static_cast<unsigned long long>((mix * 0x9E3779B97F4A7C15ULL) >> 40));
    return buf;
}

pool_config make_pool_config(const bench_options& options) {
    pool_config config;
    config.host = options.host;
    config.port = options.port;
    config.handshake_batch = options.batch;
    return config;
}

bool connect_clients(client_pool& pool, const bench_options& options, std::string_view title) {
    // Each client holds one descriptor; the rest is headroom for the loop and stdio.
    const fd_limit_report fds = raise_fd_limit(static_cast<std::uint64_t>(options.clients) + 64);
    std::printf("== parley-bench %s: %s ==\n", options.workload.c_str(), std::string(title).c_str());
    if (!fds.note.empty()) std::printf("WARNING           %s\n", fds.note.c_str());
    std::fflush(stdout);

    const std::int64_t t0 = now_ns();
    pool.connect_all(t0 + static_cast<std::int64_t>(options.connect_timeout * 1e9));
    const double took = static_cast<double>(now_ns() - t0) / 1e9;
    const std::size_t ready = pool.ready_count();
    const auto total = static_cast<std::size_t>(options.clients);
    const std::string server = pool.counters().server_name.empty() ? "?" : pool.counters().server_name;
    std::printf("server            %s at %s\n", server.c_str(), options.url.c_str());
    std::printf("clients           %zu of %zu ready (connected + identified) in %.2f s, %llu failed\n", ready,
                total, took, static_cast<unsigned long long>(pool.failed_before_ready()));
    const std::string failures = pool.failure_report();
    if (!failures.empty()) std::printf("%s", failures.c_str());
    const bool enough = static_cast<double>(ready) >= options.min_ready_fraction * static_cast<double>(total);
    if (!enough) {
        std::printf("FAILED            fewer than %.0f%% of the clients became ready; no figures\n",
                    options.min_ready_fraction * 100);
        std::printf("RESULT workload=%s server=%s status=failed clients=%zu ready=%zu failed=%llu\n",
                    options.workload.c_str(), server.c_str(), total, ready,
                    static_cast<unsigned long long>(pool.failed_before_ready()));
    }
    std::fflush(stdout);
    return enough;
}

std::string make_text(std::int64_t sent_ns, int sender, std::uint64_t seq, int bytes) {
    char head[96];
    const int n = std::snprintf(head, sizeof head, "t=%lld;s=%d;q=%llu;", static_cast<long long>(sent_ns),
                                sender, static_cast<unsigned long long>(seq));
    std::string text(head, static_cast<std::size_t>(n));
    if (static_cast<int>(text.size()) < bytes) text.resize(static_cast<std::size_t>(bytes), '.');
    return text;
}

std::optional<std::int64_t> sent_time_of(std::string_view text) {
    if (text.size() < 3 || text[0] != 't' || text[1] != '=') return std::nullopt;
    std::int64_t value = 0;
    std::size_t i = 2;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) value = value * 10 + (text[i] - '0');
    if (i == 2 || i >= text.size() || text[i] != ';') return std::nullopt;
    return value;
}

cpu_meter::cpu_meter(pid_t server_pid) : pid_(server_pid) {
    start_ns_ = now_ns();
    if (pid_ != 0) server_start_ = process_cpu_seconds(pid_);
    bench_start_ = own_cpu_seconds();
}

void cpu_meter::stop() {
    if (stop_ns_ != 0) return;
    stop_ns_ = now_ns();
    if (pid_ != 0) server_stop_ = process_cpu_seconds(pid_);
    bench_stop_ = own_cpu_seconds();
}

std::optional<double> cpu_meter::server_percent() const {
    if (!server_start_ || !server_stop_ || stop_ns_ <= start_ns_) return std::nullopt;
    return (*server_stop_ - *server_start_) / (static_cast<double>(stop_ns_ - start_ns_) / 1e9) * 100.0;
}

double cpu_meter::bench_percent() const {
    if (stop_ns_ <= start_ns_) return 0;
    return (bench_stop_ - bench_start_) / (static_cast<double>(stop_ns_ - start_ns_) / 1e9) * 100.0;
}

std::string format_ms(std::uint64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1e6);
    return buf;
}

std::string format_optional(std::optional<double> value, int digits) {
    if (!value) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, *value);
    return buf;
}

}  // namespace parley::bench
