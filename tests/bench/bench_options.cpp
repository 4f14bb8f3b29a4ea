#include "bench_options.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace parley::bench {
namespace {

constexpr const char* usage =
    "usage: parley-bench --workload w1|w2|w3 --url ws://127.0.0.1:PORT[,ws://...] [options]\n"
    "\n"
    "  w1  fan-out: clients in one channel, a few senders each keeping messages in flight\n"
    "      -> deliveries/s and delivery latency\n"
    "  w2  many channels: clients spread over channels, each posting at a steady rate\n"
    "      -> delivery latency and server CPU\n"
    "  w3  idle: identified connections doing nothing -> server RSS per connection\n"
    "\n"
    "options (defaults per workload in brackets, w1/w2/w3):\n"
    "  --clients N          connections [500/2000/19000]\n"
    "  --channels N         channels they are spread over [1/200/clients/10]\n"
    "  --senders N          w1: clients that post [5]\n"
    "  --inflight N         w1: unacknowledged messages per sender [8]\n"
    "  --rate R             w2: messages per second per client [1]\n"
    "  --seconds S          measured seconds; w3: idle seconds before reading RSS [15/20/5]\n"
    "  --warmup S           unmeasured seconds before the window [3/2/0]\n"
    "  --text-bytes N       length of each message's text [64]\n"
    "  --batch N            handshakes in flight at once [256]\n"
    "  --connect-timeout S  seconds for every client to be ready [120]\n"
    "  --min-ready F        fraction of clients that must be ready, else exit 1 [0.95]\n"
    "  --server-pid PID     server process, for CPU (w1, w2) and RSS (w3, required)\n"
    "\n"
    "Several server nodes: --url URL1,URL2,... spreads the clients round-robin (client i\n"
    "to URL i % n; in w1 every sender is a client of URL1, so most deliveries cross\n"
    "nodes), and --server-pid PID1,PID2,... reports the sum of their CPU (and each one's);\n"
    "w3 reads the RSS of the first pid.\n"
    "\n"
    "Only loopback addresses are accepted. Exit 0 on a completed run, 1 when the workload\n"
    "could not run properly (too few clients, errors from the server), 2 on bad usage.\n";

template <class T>
bool parse_number(std::string_view text, T& out) {
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc{} && ptr == end;
}

// ws://HOST:PORT[/...], HOST an IPv4 loopback literal or "localhost".
bool parse_url(std::string_view url, bench_options& o) {
    constexpr std::string_view scheme = "ws://";
    if (url.substr(0, scheme.size()) != scheme) return false;
    std::string_view rest = url.substr(scheme.size());
    rest = rest.substr(0, rest.find('/'));
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return false;
    std::string host(rest.substr(0, colon));
    if (host == "localhost") host = "127.0.0.1";
    in_addr addr{};
    if (inet_pton(AF_INET, host.c_str(), &addr) != 1) return false;
    // Benchmarks load a server hard: they may only ever target this machine.
    if ((ntohl(addr.s_addr) >> 24) != 127) return false;
    unsigned port = 0;
    if (!parse_number(rest.substr(colon + 1), port) || port == 0 || port > 65535) return false;
    if (o.endpoints.empty()) {
        o.host = host;
        o.port = static_cast<std::uint16_t>(port);
    }
    o.endpoints.emplace_back(host, static_cast<std::uint16_t>(port));
    return true;
}

}  // namespace

std::optional<bench_options> parse_options(int argc, char** argv, int& exit_code) {
    bench_options o;
    // Negative means "not given": the workload's default applies.
    double clients = -1, channels = -1, senders = -1, inflight = -1, rate = -1, seconds = -1, warmup = -1,
           text_bytes = -1, batch = -1, connect_timeout = -1, min_ready = -1, pid = -1;
    struct numeric_flag {
        std::string_view name;
        double* value;
        bool integer;
    };
    const numeric_flag numeric[] = {
        {"--clients", &clients, true},      {"--channels", &channels, true},
        {"--senders", &senders, true},      {"--inflight", &inflight, true},
        {"--rate", &rate, false},           {"--seconds", &seconds, false},
        {"--warmup", &warmup, false},       {"--text-bytes", &text_bytes, true},
        {"--batch", &batch, true},          {"--connect-timeout", &connect_timeout, false},
        {"--min-ready", &min_ready, false},
    };
    auto bad = [&](const std::string& why) -> std::optional<bench_options> {
        std::fprintf(stderr, "parley-bench: %s\n\n%s", why.c_str(), usage);
        exit_code = 2;
        return std::nullopt;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            exit_code = 0;
            return std::nullopt;
        }
        if (i + 1 >= argc) return bad("missing value after " + std::string(arg));
        const std::string_view value = argv[++i];
        if (arg == "--workload") {
            o.workload = value;
            continue;
        }
        if (arg == "--url") {
            o.url = value;
            o.endpoints.clear();
            o.port = 0;
            for (std::string_view rest = value;;) {
                const auto comma = rest.find(',');
                if (!parse_url(rest.substr(0, comma), o))
                    return bad("--url must be ws://<127.x.x.x or localhost>:PORT[,ws://...]");
                if (comma == std::string_view::npos) break;
                rest = rest.substr(comma + 1);
            }
            continue;
        }
        if (arg == "--server-pid") {
            o.server_pids.clear();
            for (std::string_view rest = value;;) {
                const auto comma = rest.find(',');
                long long one = 0;
                if (!parse_number(rest.substr(0, comma), one) || one < 0 || one > 1'000'000'000)
                    return bad("bad value for --server-pid: " + std::string(value));
                if (one != 0) o.server_pids.push_back(static_cast<pid_t>(one));
                if (comma == std::string_view::npos) break;
                rest = rest.substr(comma + 1);
            }
            pid = o.server_pids.empty() ? 0 : o.server_pids.front();
            continue;
        }
        bool known = false;
        for (const auto& f : numeric) {
            if (arg != f.name) continue;
            known = true;
            if (!parse_number(value, *f.value) || *f.value < 0 || *f.value > 1e9 ||
                (f.integer && *f.value != static_cast<double>(static_cast<long long>(*f.value))))
                return bad("bad value for " + std::string(arg) + ": " + std::string(value));
        }
        if (!known) return bad("unknown option " + std::string(arg));
    }
    if (o.workload != "w1" && o.workload != "w2" && o.workload != "w3")
        return bad("--workload must be w1, w2 or w3");
    if (o.port == 0) return bad("--url is required");

    const bool w1 = o.workload == "w1";
    const bool w2 = o.workload == "w2";
    auto pick = [](double given, double fallback) { return given >= 0 ? given : fallback; };
    o.clients = static_cast<int>(pick(clients, w1 ? 500 : w2 ? 2000 : 19000));
    // w3 uses channels of ten: a realistic room size, and it keeps presence fan-out small.
    o.channels = static_cast<int>(pick(channels, w1 ? 1 : w2 ? 200 : (o.clients + 9) / 10));
    o.senders = static_cast<int>(pick(senders, 5));
    o.inflight = static_cast<int>(pick(inflight, 8));
    o.rate = pick(rate, 1.0);
    o.seconds = pick(seconds, w1 ? 15.0 : w2 ? 20.0 : 5.0);
    o.warmup = pick(warmup, w1 ? 3.0 : w2 ? 2.0 : 0.0);
    o.text_bytes = static_cast<int>(pick(text_bytes, 64));
    o.batch = static_cast<std::size_t>(pick(batch, 256));
    o.connect_timeout = pick(connect_timeout, 120.0);
    o.min_ready_fraction = pick(min_ready, 0.95);
    o.server_pid = static_cast<pid_t>(pick(pid, 0));

    if (o.clients < 1) return bad("--clients must be at least 1");
    if (o.channels < 1 || o.channels > o.clients) return bad("--channels must be 1..clients");
    if (w1 && (o.senders < 1 || o.senders > o.clients)) return bad("--senders must be 1..clients");
    if (w1 && static_cast<std::size_t>(o.senders) * o.endpoints.size() > static_cast<std::size_t>(o.clients))
        return bad("w1 with several URLs needs --senders x URLs <= --clients (senders are clients of the first URL)");
    if (w1 && o.inflight < 1) return bad("--inflight must be at least 1");
    if (w2 && o.rate <= 0) return bad("--rate must be positive");
    if (o.text_bytes < 32 || o.text_bytes > 4000) return bad("--text-bytes must be 32..4000");
    if (o.batch < 1) return bad("--batch must be at least 1");
    if (o.workload == "w3" && o.server_pid == 0) return bad("w3 needs --server-pid to read the server's RSS");
    if (o.min_ready_fraction > 1) return bad("--min-ready must be 0..1");
    exit_code = 0;
    return o;
}

}  // namespace parley::bench
