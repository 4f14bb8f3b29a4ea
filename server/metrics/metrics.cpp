// The Prometheus text exposition, format 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/
#include "metrics/metrics.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace parley::server {
namespace {

void append_number(std::string& out, std::uint64_t value) {
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    if (ec == std::errc{}) out.append(buf, end);
}

void append_number(std::string& out, std::int64_t value) {
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    if (ec == std::errc{}) out.append(buf, end);
}

/// Shortest round-trip form; `fixed` for bucket bounds so they read "0.00005", not "5e-05".
void append_number(std::string& out, double value, std::chars_format format = std::chars_format::general) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, format);
    if (ec == std::errc{}) out.append(buf, end);
}

void append_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

template <class Number>
void append_metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                   Number value) {
    append_header(out, name, type, help);
    out += name;
    out += ' ';
    append_number(out, value);
    out += '\n';
}

/// One sample of a labelled family: `name{label="value"} number`. Values here are [a-z_]
/// (wire error codes, frame kinds): nothing to escape.
void append_labelled(std::string& out, std::string_view name, std::string_view label, std::string_view value,
                     std::uint64_t number) {
    out += name;
    out += '{';
    out += label;
    out += "=\"";
    out += value;
    out += "\"} ";
    append_number(out, number);
    out += '\n';
}

/// A label value as the exposition format writes it: backslash, quote and newline escaped.
std::string escape_label(std::string_view value) {
    std::string escaped;
    escaped.reserve(value.size());
    for (const char ch : value) {
        if (ch == '\\' || ch == '"') escaped += '\\';
        if (ch == '\n') {
            escaped += "\\n";
            continue;
        }
        escaped += ch;
    }
    return escaped;
}

void append_histogram(std::string& out, std::string_view name, std::string_view help,
                      const latency_histogram& h) {
    append_header(out, name, "histogram", help);
    // _count is the sum of the buckets read here, not count(): under concurrent observations
    // the separate counters can disagree for a moment, and a scraper expects +Inf == _count.
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= latency_histogram::bounds.size(); ++i) {
        cumulative += h.bucket(i);
        out += name;
        out += "_bucket{le=\"";
        if (i < latency_histogram::bounds.size())
            append_number(out, latency_histogram::bounds[i], std::chars_format::fixed);
        else
            out += "+Inf";
        out += "\"} ";
        append_number(out, cumulative);
        out += '\n';
    }
    out += name;
    out += "_sum ";
    append_number(out, h.sum_seconds());
    out += '\n';
    out += name;
    out += "_count ";
    append_number(out, cumulative);
    out += '\n';
}

}  // namespace

std::string render_prometheus(const server_metrics& m) {
    constexpr auto relaxed = std::memory_order_relaxed;
    std::string out;
    out.reserve(4096);  // the whole page is about 3 KB; one allocation

    append_metric(out, "parley_connections_open", "gauge", "WebSocket connections open now.",
                  m.connections_open.load(relaxed));
    append_metric(out, "parley_connections_total", "counter", "WebSocket connections accepted since start.",
                  m.connections_total.load(relaxed));
    append_metric(out, "parley_channels_active", "gauge", "Channels with at least one connection.",
                  m.channels_active.load(relaxed));
    append_metric(out, "parley_messages_stored_total", "counter", "Messages committed to the store.",
                  m.messages_stored.load(relaxed));
    append_metric(out, "parley_store_ready", "gauge",
                  "1 when the store's last contact with its database succeeded, else 0.",
                  std::uint64_t{m.store_reachable.load(relaxed) ? 1u : 0u});
    append_metric(out, "parley_deliveries_total", "counter",
                  "Chat frames (message, edited, deleted, typing, presence, online) queued to a reader's "
                  "connection; replies, heartbeats, pongs, closes and the 101 answer are not deliveries.",
                  m.deliveries.load(relaxed));
    append_header(out, "parley_frames_queued_total", "counter",
                  "Frames queued to connections, by kind: chat (the deliveries), reply (answers to one "
                  "connection: connection, identity, joined, history, channels, left, error), control "
                  "(101 answer, heartbeat, pong, close).");
    for (const frame_kind kind : all_frame_kinds) {
        append_labelled(out, "parley_frames_queued_total", "kind", to_string(kind),
                        m.frames_queued[static_cast<std::size_t>(kind)].load(relaxed));
    }
    append_metric(out, "parley_slow_consumers_dropped_total", "counter",
                  "Connections closed for exceeding their send queue bound.",
                  m.slow_consumers_dropped.load(relaxed));
    append_metric(out, "parley_http_requests_total", "counter", "Plain HTTP requests answered.",
                  m.http_requests.load(relaxed));

    // Every code gets a line, zero included, so a rate() query has a series from the start.
    append_header(out, "parley_protocol_errors_total", "counter", "Error frames sent, by protocol error code.");
    for (const error_code code : all_error_codes) {
        append_labelled(out, "parley_protocol_errors_total", "code", to_string(code),
                        m.protocol_errors[static_cast<std::size_t>(code)].load(relaxed));
    }

    if (!m.node_name.empty()) {
        append_header(out, "parley_node_info", "gauge", "This node's name (--node-name), as a label.");
        append_labelled(out, "parley_node_info", "node", escape_label(m.node_name), std::uint64_t{1});
    }
    if (m.stream_enabled.load(relaxed)) {
        const std::int64_t head = m.stream_head.load(relaxed);
        const std::int64_t delivered = m.stream_delivered.load(relaxed);
        append_metric(out, "parley_stream_head", "gauge",
                      "The newest event stream position this node has seen in the database.", head);
        append_metric(out, "parley_stream_delivered", "gauge",
                      "The newest event stream position this node has delivered to its channels.", delivered);
        append_metric(out, "parley_stream_lag_events", "gauge",
                      "Events in the database this node has not delivered yet (head - delivered).",
                      head > delivered ? head - delivered : std::int64_t{0});
        append_metric(out, "parley_stream_reads_total", "counter", "Reads of the events table.",
                      m.stream_reads.load(relaxed));
        append_metric(out, "parley_stream_events_lost_total", "counter",
                      "Events pruned from the database before this node read them (its connections were "
                      "closed so that their clients resume).",
                      m.stream_events_lost.load(relaxed));
        append_metric(out, "parley_stream_replays_short_total", "counter",
                      "Joins that came back after more stream events than a shard keeps.",
                      m.stream_replays_short.load(relaxed));
    }
    append_histogram(out, "parley_store_batch_seconds", "Time to commit one storage batch, in seconds.",
                     m.store_batch_seconds);
    return out;
}

}  // namespace parley::server
