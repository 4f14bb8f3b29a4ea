// W3, idle: many identified connections that only answer heartbeats. Measures what each
// costs the server in resident memory: VmRSS before connecting and after all are ready
// and have been idle for a while, divided by the number ready.

#include <cstdio>
#include <string>

#include "proc_stats.hpp"
#include "workload_common.hpp"

namespace parley::bench {
namespace {

class idle_workload final : public pool_events {
public:
    void on_message(std::size_t, const message_view&, std::int64_t) override { ++messages_; }
    std::uint64_t messages() const { return messages_; }

private:
    std::uint64_t messages_ = 0;
};

}  // namespace

int run_idle(const bench_options& options) {
    const std::optional<std::uint64_t> before = process_rss_bytes(options.server_pid);
    if (!before) {
        std::printf("== parley-bench w3: idle ==\nFAILED            no process %d to read VmRSS from\n",
                    static_cast<int>(options.server_pid));
        std::printf("RESULT workload=w3 status=failed reason=no_server_process\n");
        return 1;
    }
    idle_workload workload;
    client_pool pool(make_pool_config(options), workload);
    const std::string tag = run_tag();
    for (int i = 0; i < options.clients; ++i)
        pool.add("w3-" + tag + "-" + std::to_string(i % options.channels), "b" + std::to_string(i));
    const std::string title = "idle, " + std::to_string(options.clients) + " connections in " +
                              std::to_string(options.channels) + " channels";
    if (!connect_clients(pool, options, title)) return 1;

    pool.run_until(now_ns() + static_cast<std::int64_t>(options.seconds * 1e9));
    const std::optional<std::uint64_t> after = process_rss_bytes(options.server_pid);
    const std::size_t ready = pool.ready_count();
    const std::uint64_t dropped = pool.lost_after_ready();
    pool.close_all(now_ns() + 5'000'000'000);
    if (!after) {
        std::printf("FAILED            the server (pid %d) is gone\n", static_cast<int>(options.server_pid));
        std::printf("RESULT workload=w3 status=failed reason=server_gone\n");
        return 1;
    }
    const double per_connection = ready == 0 ? 0.0
                                             : (static_cast<double>(*after) - static_cast<double>(*before)) /
                                                   static_cast<double>(ready);
    const std::string server = pool.counters().server_name;
    std::printf("idle              %.1f s after the last client was ready (%llu heartbeats answered)\n",
                options.seconds, static_cast<unsigned long long>(pool.counters().heartbeats_answered));
    std::printf("server rss        %.1f MiB before, %.1f MiB after, %zu connections still open\n",
                static_cast<double>(*before) / 1048576.0, static_cast<double>(*after) / 1048576.0, ready);
    std::printf("per connection    %.0f bytes\n", per_connection);
    if (dropped != 0)
        std::printf("%llu clients dropped while idle\n%s", static_cast<unsigned long long>(dropped),
                    pool.failure_report().c_str());
    std::printf(
        "RESULT workload=w3 server=%s status=ok clients=%d ready=%zu channels=%d rss_before_kib=%llu "
        "rss_after_kib=%llu bytes_per_conn=%.0f dropped=%llu\n",
        server.c_str(), options.clients, ready, options.channels,
        static_cast<unsigned long long>(*before / 1024), static_cast<unsigned long long>(*after / 1024),
        per_connection, static_cast<unsigned long long>(dropped));
    std::fflush(stdout);
    return 0;
}

}  // namespace parley::bench
