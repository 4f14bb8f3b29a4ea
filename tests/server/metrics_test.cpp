#include "metrics/metrics.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

using parley::server::latency_histogram;
using parley::server::render_prometheus;
using parley::server::server_metrics;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (l == line) return true;
    return false;
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (l.rfind(prefix, 0) == 0) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("metrics render every figure with HELP and TYPE lines") {
    server_metrics m;
    m.connections_open = 3;
    m.connections_total = 17;
    m.channels_active = 2;
    m.messages_stored = 40;
    m.deliveries = 120;
    m.slow_consumers_dropped = 1;
    m.http_requests = 9;
    const std::string text = render_prometheus(m);

    const struct {
        const char* name;
        const char* type;
        const char* sample;
    } expected[] = {
        {"parley_connections_open", "gauge", "parley_connections_open 3"},
        {"parley_connections_total", "counter", "parley_connections_total 17"},
        {"parley_channels_active", "gauge", "parley_channels_active 2"},
        {"parley_messages_stored_total", "counter", "parley_messages_stored_total 40"},
        {"parley_deliveries_total", "counter", "parley_deliveries_total 120"},
        {"parley_slow_consumers_dropped_total", "counter", "parley_slow_consumers_dropped_total 1"},
        {"parley_http_requests_total", "counter", "parley_http_requests_total 9"},
        {"parley_protocol_errors_total", "counter", nullptr},
        {"parley_store_batch_seconds", "histogram", nullptr},
    };
    for (const auto& e : expected) {
        CAPTURE(e.name);
        CHECK(lines_starting(text, std::string("# HELP ") + e.name + " ").size() == 1);
        CHECK(has_line(text, std::string("# TYPE ") + e.name + " " + e.type));
        if (e.sample) CHECK(has_line(text, e.sample));
    }
    CHECK(text.back() == '\n');  // the format requires the last line to end too
}

TEST_CASE("metrics show a negative gauge as a signed number") {
    server_metrics m;
    m.connections_open = -1;  // a bookkeeping bug must show, not wrap to 2^64 - 1
    CHECK(has_line(render_prometheus(m), "parley_connections_open -1"));
}

TEST_CASE("metrics list every protocol error code, zero included") {
    server_metrics m;
    m.count_error(parley::error_code::rate_limited);
    m.count_error(parley::error_code::rate_limited);
    m.count_error(parley::error_code::server_error);
    const std::string text = render_prometheus(m);

    for (const parley::error_code code : parley::all_error_codes) {
        const std::string name(parley::to_string(code));
        const int expected = code == parley::error_code::rate_limited   ? 2
                             : code == parley::error_code::server_error ? 1
                                                                        : 0;
        CAPTURE(name);
        CHECK(has_line(text, "parley_protocol_errors_total{code=\"" + name + "\"} " + std::to_string(expected)));
    }
    CHECK(lines_starting(text, "parley_protocol_errors_total{").size() == std::size(parley::all_error_codes));
}

TEST_CASE("metrics histogram buckets are cumulative and end with +Inf equal to the count") {
    server_metrics m;
    m.store_batch_seconds.observe(0.00003);  // <= 0.00005
    m.store_batch_seconds.observe(0.00005);  // on the bound: le is inclusive
    m.store_batch_seconds.observe(0.0007);   // <= 0.001
    m.store_batch_seconds.observe(0.2);      // <= 0.25
    m.store_batch_seconds.observe(3.0);      // +Inf only
    const std::string text = render_prometheus(m);

    const std::vector<std::string> buckets = lines_starting(text, "parley_store_batch_seconds_bucket{");
    REQUIRE(buckets.size() == latency_histogram::bounds.size() + 1);
    CHECK(buckets[0] == "parley_store_batch_seconds_bucket{le=\"0.00005\"} 2");
    CHECK(buckets[1] == "parley_store_batch_seconds_bucket{le=\"0.0001\"} 2");
    CHECK(buckets[3] == "parley_store_batch_seconds_bucket{le=\"0.0005\"} 2");
    CHECK(buckets[4] == "parley_store_batch_seconds_bucket{le=\"0.001\"} 3");
    CHECK(buckets[9] == "parley_store_batch_seconds_bucket{le=\"0.1\"} 3");
    CHECK(buckets[10] == "parley_store_batch_seconds_bucket{le=\"0.25\"} 4");
    CHECK(buckets[11] == "parley_store_batch_seconds_bucket{le=\"1\"} 4");
    CHECK(buckets[12] == "parley_store_batch_seconds_bucket{le=\"+Inf\"} 5");
    CHECK(has_line(text, "parley_store_batch_seconds_count 5"));

    const std::vector<std::string> sum = lines_starting(text, "parley_store_batch_seconds_sum ");
    REQUIRE(sum.size() == 1);
    const double seconds = std::stod(sum[0].substr(sum[0].find(' ') + 1));
    CHECK(seconds == doctest::Approx(3.20078).epsilon(1e-5));
}

TEST_CASE("metrics histogram of no observations has zero buckets, sum and count") {
    server_metrics m;
    const std::string text = render_prometheus(m);
    CHECK(has_line(text, "parley_store_batch_seconds_bucket{le=\"+Inf\"} 0"));
    CHECK(has_line(text, "parley_store_batch_seconds_sum 0"));
    CHECK(has_line(text, "parley_store_batch_seconds_count 0"));
}

TEST_CASE("metrics count only chat frames as deliveries and every frame by kind") {
    server_metrics m;
    m.count_frame(parley::server::frame_kind::chat);
    m.count_frame(parley::server::frame_kind::chat);
    m.count_frame(parley::server::frame_kind::reply);
    m.count_frame(parley::server::frame_kind::control);
    m.count_frame(parley::server::frame_kind::control);
    m.count_frame(parley::server::frame_kind::control);
    const std::string text = render_prometheus(m);

    CHECK(has_line(text, "parley_deliveries_total 2"));
    CHECK(has_line(text, "# TYPE parley_frames_queued_total counter"));
    CHECK(lines_starting(text, "# HELP parley_frames_queued_total ").size() == 1);
    CHECK(has_line(text, "parley_frames_queued_total{kind=\"chat\"} 2"));
    CHECK(has_line(text, "parley_frames_queued_total{kind=\"reply\"} 1"));
    CHECK(has_line(text, "parley_frames_queued_total{kind=\"control\"} 3"));
    CHECK(lines_starting(text, "parley_frames_queued_total{").size() == parley::server::all_frame_kinds.size());
}
