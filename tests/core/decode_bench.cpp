// parley_core_decode_bench: peak heap and time of decoding hostile frames (issue 11,
// "Bounded parsing work"). Not a test: built on request
// (`--target parley_core_decode_bench`) and run by hand; the figures are in docs/security.md.
//
// Heap is measured by replacing the global operator new/delete in this executable only:
// each block carries its size in a header, so the live total and its peak are exact.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/codec.hpp"
#include "parley/core/limits.hpp"

namespace {

std::size_t live_bytes = 0;
std::size_t peak_bytes = 0;
std::size_t allocations = 0;

// A header in front of each block keeps the size for delete; 16 bytes keeps the alignment
// of max_align_t.
constexpr std::size_t header = 16;

void* counted_alloc(std::size_t size) {
    void* raw = std::malloc(size + header);
    if (!raw) throw std::bad_alloc();
    *static_cast<std::size_t*>(raw) = size;
    live_bytes += size;
    peak_bytes = std::max(peak_bytes, live_bytes);
    ++allocations;
    return static_cast<char*>(raw) + header;
}

void counted_free(void* block) noexcept {
    if (!block) return;
    void* raw = static_cast<char*>(block) - header;
    live_bytes -= *static_cast<std::size_t*>(raw);
    std::free(raw);
}

}  // namespace

void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new[](std::size_t size) { return counted_alloc(size); }
void operator delete(void* block) noexcept { counted_free(block); }
void operator delete[](void* block) noexcept { counted_free(block); }
void operator delete(void* block, std::size_t) noexcept { counted_free(block); }
void operator delete[](void* block, std::size_t) noexcept { counted_free(block); }

namespace {

/// `prefix` then `[{},{},...]` and `}` filling about `bytes`.
std::string filled(std::string_view prefix, std::size_t bytes) {
    std::string out(prefix);
    out += '[';
    while (out.size() + 5 < bytes) out += "{},";
    out += "{}]}";
    return out;
}

struct figures {
    std::size_t peak = 0;
    std::size_t allocations = 0;
    double ms = 0;
    bool ok = false;
    std::string error;
};

template <class Decode>
figures measure(const std::string& input, Decode decode, int runs) {
    figures f;
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const std::size_t base = live_bytes;
        peak_bytes = live_bytes;
        const std::size_t allocations_before = allocations;
        const auto start = std::chrono::steady_clock::now();
        {
            auto result = decode(input);
            f.ok = result.ok();
            f.error = result.ok() ? std::string() : result.error().message;
        }
        const auto stop = std::chrono::steady_clock::now();
        f.peak = peak_bytes - base;
        f.allocations = allocations - allocations_before;
        times.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }
    std::sort(times.begin(), times.end());
    f.ms = times[times.size() / 2];
    return f;
}

void report(const char* what, const std::string& input, const figures& f) {
    std::printf("%-44s %9zu B in  peak %11zu B (%7.1fx)  %8zu allocs  %9.3f ms  %s%s\n", what,
                input.size(), f.peak, static_cast<double>(f.peak) / static_cast<double>(input.size()),
                f.allocations, f.ms, f.ok ? "decoded" : "refused: ", f.error.c_str());
}

/// Median nanoseconds per call of `op` over `rounds` rounds of `calls` calls each.
template <class Op>
double ns_per_call(Op op, int rounds, int calls) {
    std::vector<double> times;
    for (int round = 0; round < rounds; ++round) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < calls; ++i) op();
        const auto stop = std::chrono::steady_clock::now();
        times.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / calls);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

/// A history page of `count` messages, as the server sends it.
parley::history_page sample_page(int count) {
    parley::history_page page{.channel = "general", .messages = {}, .has_more = true};
    for (int i = 1; i <= count; ++i)
        page.messages.push_back(parley::chat_message{.id = 1000 + i, .channel = "general", .user = "fishing_beast_5000",
                                                     .text = "morning is best, says the one who fishes",
                                                     .timestamp = 1652997756123 + i, .nonce = std::nullopt,
                                                     .edited_at = std::nullopt, .seq = i});
    return page;
}

/// Throughput of the frames a server and a client handle all day (the codec's hot path).
void report_typical_throughput() {
    using namespace parley;
    const client_frame post{post_message{.channel = "general", .text = "hello there, how is the fishing"}, "k1"};
    const server_message echo = sample_page(1).messages.front();
    const server_message page = sample_page(limits::join_history_messages);
    const std::string post_wire = encode(post);
    const std::string echo_wire = encode(echo);
    const std::string page_wire = encode(page);
    std::size_t sink = 0;
    const auto row = [](const char* what, double ns) { std::printf("%-44s %9.0f ns/call\n", what, ns); };
    row("decode client message (typical)", ns_per_call([&] { sink += decode_client_frame(post_wire).ok(); }, 9, 20000));
    row("encode client message (typical)", ns_per_call([&] { sink += encode(post).size(); }, 9, 20000));
    row("decode server message (chat echo)", ns_per_call([&] { sink += decode_server_message(echo_wire).ok(); }, 9, 20000));
    row("encode server message (chat echo)", ns_per_call([&] { sink += encode(echo).size(); }, 9, 20000));
    row("decode server history, 50 messages", ns_per_call([&] { sink += decode_server_message(page_wire).ok(); }, 9, 500));
    row("encode server history, 50 messages", ns_per_call([&] { sink += encode(page).size(); }, 9, 500));
    if (sink == 0) std::printf("(nothing decoded)\n");
}

}  // namespace

int main(int argc, char** argv) {
    report_typical_throughput();
    // `parley_core_decode_bench typical`: the throughput rows only (for perf stat).
    if (argc > 1 && std::string_view(argv[1]) == "typical") return 0;
    const auto client = [](const std::string& s) { return parley::decode_client_frame(s); };
    const auto server = [](const std::string& s) { return parley::decode_server_message(s); };
    struct row {
        const char* name;
        std::string prefix;
        std::size_t bytes;
        bool client_side;
        int runs;
    };
    const row rows[] = {
        {"client heartbeat, unknown x:[{},...] 64 KiB", R"({"type":"heartbeat","x":)", 64 * 1024, true, 21},
        {"client heartbeat, unknown x:[{},...] 16 MiB", R"({"type":"heartbeat","x":)", 16u << 20, true, 3},
        {"server heartbeat, unknown x:[{},...] 64 KiB", R"({"type":"heartbeat","x":)", 64 * 1024, false, 21},
        {"server heartbeat, unknown x:[{},...] 16 MiB", R"({"type":"heartbeat","x":)", 16u << 20, false, 3},
        {"server joined, users:[{},...] 1 MiB", R"({"type":"joined","channel":"c","users":)", 1u << 20, false, 5},
        {"server joined, users:[{},...] 16 MiB", R"({"type":"joined","channel":"c","users":)", 16u << 20, false, 3},
    };
    // Under the value cap, so these are parsed to the end.
    const row under_cap[] = {
        {"client heartbeat, x:[{},...] 9,990 values", R"({"type":"heartbeat","x":)", 3 * 9990, true, 21},
        {"server joined, users:[{},...] 9,990 values", R"({"type":"joined","channel":"c","users":)", 3 * 9990, false, 21},
    };
    for (const auto& r : under_cap) {
        const std::string input = filled(r.prefix, r.bytes);
        const figures f = r.client_side ? measure(input, client, r.runs) : measure(input, server, r.runs);
        report(r.name, input, f);
    }
    for (const std::size_t bytes : {std::size_t{64} * 1024, std::size_t{16} << 20}) {
        const std::string input = R"({"type":"heartbeat","x":")" + std::string(bytes - 29, 'a') + R"("})";
        report(bytes < 1000000 ? "client heartbeat, x:\"aaa...\" 64 KiB" : "client heartbeat, x:\"aaa...\" 16 MiB",
               input, measure(input, client, bytes < 1000000 ? 21 : 3));
    }
    for (const auto& r : rows) {
        const std::string input = filled(r.prefix, r.bytes);
        const figures f = r.client_side ? measure(input, client, r.runs) : measure(input, server, r.runs);
        report(r.name, input, f);
    }
    // A typical frame, for scale.
    const std::string hi = R"({"type":"message","channel":"general","text":"hello there","nonce":"k1"})";
    report("client message (typical)", hi, measure(hi, client, 101));
    return 0;
}
