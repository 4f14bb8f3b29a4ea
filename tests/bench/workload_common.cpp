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
    config.endpoints = options.endpoints;
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
    if (pool.endpoint_count() > 1)
        std::printf("nodes             %zu URLs, clients spread round-robin (client i -> URL i %% %zu)\n",
                    pool.endpoint_count(), pool.endpoint_count());
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

std::optional<int> sender_of(std::string_view text) {
    if (!sent_time_of(text)) return std::nullopt;
    const auto field = text.find(";s=");
    if (field == std::string_view::npos) return std::nullopt;
    int value = 0;
    std::size_t i = field + 3;
    const std::size_t first = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) value = value * 10 + (text[i] - '0');
    if (i == first || i >= text.size() || text[i] != ';') return std::nullopt;
    return value;
}

cpu_meter::cpu_meter(pid_t server_pid) : cpu_meter(std::vector<pid_t>{}) {
    if (server_pid != 0) {
        pids_.push_back(server_pid);
        server_starts_.push_back(process_cpu_seconds(server_pid));
    }
}

cpu_meter::cpu_meter(const std::vector<pid_t>& server_pids) : pids_(server_pids) {
    start_ns_ = now_ns();
    for (pid_t pid : pids_) server_starts_.push_back(process_cpu_seconds(pid));
    bench_start_ = own_cpu_seconds();
}

void cpu_meter::stop() {
    if (stop_ns_ != 0) return;
    stop_ns_ = now_ns();
    for (pid_t pid : pids_) server_stops_.push_back(process_cpu_seconds(pid));
    bench_stop_ = own_cpu_seconds();
}

std::optional<double> cpu_meter::server_percent(std::size_t i) const {
    if (i >= pids_.size() || i >= server_stops_.size() || stop_ns_ <= start_ns_) return std::nullopt;
    if (!server_starts_[i] || !server_stops_[i]) return std::nullopt;
    return (*server_stops_[i] - *server_starts_[i]) / (static_cast<double>(stop_ns_ - start_ns_) / 1e9) * 100.0;
}

std::optional<double> cpu_meter::server_percent() const {
    if (pids_.empty()) return std::nullopt;
    double sum = 0;
    for (std::size_t i = 0; i < pids_.size(); ++i) {
        const auto one = server_percent(i);
        if (!one) return std::nullopt;
        sum += *one;
    }
    return sum;
}

double cpu_meter::bench_percent() const {
    if (stop_ns_ <= start_ns_) return 0;
    return (bench_stop_ - bench_start_) / (static_cast<double>(stop_ns_ - start_ns_) / 1e9) * 100.0;
}

bool print_window_lines(const window_report& r, const client_pool& pool) {
    const double rate = static_cast<double>(r.deliveries) / r.window_s;
    std::printf("window            %.2f s measured after %.2f s warm-up\n", r.window_s, r.warmup_s);
    std::printf("messages          %llu sent, %llu echoed to their senders\n", static_cast<unsigned long long>(r.sent),
                static_cast<unsigned long long>(r.echoes));
    std::printf("deliveries        %llu in the window = %.0f deliveries/s\n",
                static_cast<unsigned long long>(r.deliveries), rate);
    std::printf("latency (ms)      p50 %s  p99 %s  max %s  over %llu deliveries\n",
                format_ms(r.latency->quantile_ns(0.50)).c_str(), format_ms(r.latency->quantile_ns(0.99)).c_str(),
                format_ms(r.latency->max_ns()).c_str(), static_cast<unsigned long long>(r.latency->count()));
    if (pool.endpoint_count() > 1 && r.cross_latency != nullptr)
        std::printf("cross-node (ms)   p50 %s  p99 %s  max %s  over %llu deliveries to another node than the sender's\n",
                    format_ms(r.cross_latency->quantile_ns(0.50)).c_str(),
                    format_ms(r.cross_latency->quantile_ns(0.99)).c_str(), format_ms(r.cross_latency->max_ns()).c_str(),
                    static_cast<unsigned long long>(r.cross_latency->count()));
    // The tail's shape: a p99 far above p90 is a rare stall, one close to it a steady cost.
    std::printf("latency tail (ms) p90 %s  p95 %s  p99.9 %s\n", format_ms(r.latency->quantile_ns(0.90)).c_str(),
                format_ms(r.latency->quantile_ns(0.95)).c_str(), format_ms(r.latency->quantile_ns(0.999)).c_str());
    std::printf("server cpu        %s%% of one core%s\n", format_optional(r.server_cpu, 1).c_str(),
                r.server_cpu ? "" : " (no --server-pid)");
    // Several nodes: the sum above, and each process's share (in --server-pid order).
    if (r.server_cpu_each.size() > 1) {
        std::printf("server cpu each  ");
        for (std::size_t i = 0; i < r.server_cpu_each.size(); ++i)
            std::printf(" pid %d %s%%", static_cast<int>(r.server_cpu_each[i].first),
                        format_optional(r.server_cpu_each[i].second, 1).c_str());
        std::printf("\n");
    }
    std::printf("bench cpu         %.1f%% of one core%s\n", r.bench_cpu,
                r.bench_cpu > 90 ? "  (near saturation: the figure may be the bench's limit)" : "");
    std::printf("after the window  %s; %llu deliveries missing, %llu clients dropped\n",
                r.drained ? "drained" : "NOT drained within 5 s", static_cast<unsigned long long>(r.missing),
                static_cast<unsigned long long>(r.dropped));
    if (r.dropped != 0 || r.missing != 0) std::printf("%s", pool.failure_report().c_str());
    if (r.errors == 0) return false;
    std::printf("FAILED            the server answered %llu posts with errors:", static_cast<unsigned long long>(r.errors));
    for (const auto& [code, n] : pool.counters().error_codes)
        std::printf(" %s=%llu", code.c_str(), static_cast<unsigned long long>(n));
    std::printf(" (run it with --rate-limit 0)\n");
    return true;
}

void print_result_line(const window_report& r, const client_pool& pool) {
    const bool crossed = pool.endpoint_count() > 1 && r.cross_latency != nullptr && r.cross_latency->count() > 0;
    std::printf(
        "RESULT workload=%s server=%s status=%s clients=%d ready=%zu %s seconds=%.1f "
        "deliveries_per_s=%.0f p50_ms=%s p99_ms=%s max_ms=%s server_cpu_pct=%s bench_cpu_pct=%.1f "
        "missing=%llu dropped=%llu errors=%llu cross_p50_ms=%s cross_p99_ms=%s\n",
        r.workload, pool.counters().server_name.c_str(), r.errors != 0 ? "failed" : "ok", r.clients,
        pool.size() - pool.failed_before_ready(), r.shape.c_str(), r.window_s,
        static_cast<double>(r.deliveries) / r.window_s, format_ms(r.latency->quantile_ns(0.50)).c_str(),
        format_ms(r.latency->quantile_ns(0.99)).c_str(), format_ms(r.latency->max_ns()).c_str(),
        format_optional(r.server_cpu, 1).c_str(), r.bench_cpu, static_cast<unsigned long long>(r.missing),
        static_cast<unsigned long long>(r.dropped), static_cast<unsigned long long>(r.errors),
        crossed ? format_ms(r.cross_latency->quantile_ns(0.50)).c_str() : "n/a",
        crossed ? format_ms(r.cross_latency->quantile_ns(0.99)).c_str() : "n/a");
    std::fflush(stdout);
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
