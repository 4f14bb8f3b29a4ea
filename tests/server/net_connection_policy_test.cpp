#include "net/connection_policy.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <variant>

#include "parley/core/limits.hpp"
#include "ws/frame.hpp"

using namespace parley;
using namespace parley::server;

namespace {

/// Limits with small, round numbers: 2 posts/s with a burst of 3; requests 10/s, burst 30.
session_limits test_limits() {
    session_limits l;
    l.rate_limit = 2;
    l.rate_burst = 3;
    l.max_channels_per_connection = 5;  // request burst: max(3 * 5, 5 * 2 + 20) = 30
    l.heartbeat_ms = 1000;
    return l;
}

const std::string join = R"({"type":"join","channel":"general","nonce":"j"})";
const std::string post = R"({"type":"message","text":"hi","nonce":"p"})";
const std::string heartbeat_answer = R"({"type":"heartbeat"})";

/// The answer as a `T` (by value: the answers are temporaries), failing the test if it is not one.
template <class T>
T as(policy::action a) {
    REQUIRE(std::holds_alternative<T>(a));
    return std::get<T>(std::move(a));
}

}  // namespace

TEST_CASE("policy hands a well-formed frame to the hub with its nonce") {
    connection_policy p(test_limits());
    const auto forwarded = as<policy::to_hub>(p.on_text(join, 1000));
    CHECK(std::holds_alternative<join_request>(forwarded.frame.message));
    CHECK(forwarded.frame.nonce == "j");
}

TEST_CASE("policy answers malformed frames with the decoder's error and ref") {
    connection_policy p(test_limits());
    CHECK(as<policy::answer_error>(p.on_text("{not json", 1000)).code == error_code::invalid_json);
    const auto unknown = as<policy::answer_error>(p.on_text(R"({"type":"dance","nonce":"n1"})", 1000));
    CHECK(unknown.code == error_code::unknown_type);
    CHECK(unknown.ref == "n1");
}

TEST_CASE("policy answers twenty malformed frames in a window and closes with 1008 on the twenty-first") {
    connection_policy p(test_limits());
    std::int64_t now = 1000;
    for (int i = 0; i < limits::protocol_error_budget; ++i) {
        CAPTURE(i);
        CHECK(std::holds_alternative<policy::answer_error>(p.on_text("[]", now)));
        now += 10;  // well inside the request budget's refill, so only the error budget speaks
    }
    const auto closed = as<policy::close_with>(p.on_text("[]", now));
    CHECK(closed.code == server::ws::close_code::policy_violation);
    CHECK(closed.reason == "too many malformed frames");
    CHECK(closed == connection_policy::over_error_budget());
}

TEST_CASE("policy's error budget forgets errors older than the window") {
    connection_policy p(test_limits());
    for (int i = 0; i < limits::protocol_error_budget; ++i) CHECK(p.charge_error(1000));
    CHECK_FALSE(p.charge_error(1000 + limits::protocol_error_window_ms - 1));
    connection_policy q(test_limits());
    for (int i = 0; i < limits::protocol_error_budget; ++i) CHECK(q.charge_error(1000));
    CHECK(q.charge_error(1000 + limits::protocol_error_window_ms));
}

TEST_CASE("policy charges the hub's protocol errors and its own decode errors to one budget") {
    connection_policy p(test_limits());
    for (int i = 0; i < limits::protocol_error_budget; ++i) CHECK(p.charge_error(1000));  // from the hub
    CHECK(std::holds_alternative<policy::close_with>(p.on_text("[]", 1001)));
}

TEST_CASE("policy's budget made by two threads charging their first errors at once is one budget") {
    // The window is made at the first error; both threads may try to make it (tsan checks).
    for (int round = 0; round < 50; ++round) {
        connection_policy p(test_limits());
        const int each = limits::protocol_error_budget / 2;
        std::atomic<int> refused{0};
        auto charge = [&] {
            for (int i = 0; i < each; ++i)
                if (!p.charge_error(1000)) ++refused;
        };
        std::thread a(charge), b(charge);
        a.join();
        b.join();
        CHECK(refused == 0);
        CHECK_FALSE(p.charge_error(1000));  // the 21st of one window
    }
}

TEST_CASE("policy refuses posts over the rate with rate_limited and the post's nonce; others pass") {
    connection_policy p(test_limits());
    for (int i = 0; i < 3; ++i) CHECK(std::holds_alternative<policy::to_hub>(p.on_text(post, 1000)));
    const auto refused = as<policy::answer_error>(p.on_text(post, 1000));
    CHECK(refused.code == error_code::rate_limited);
    CHECK(refused.message == "slow down");
    CHECK(refused.ref == "p");
    // Joins are not posts; a typing notice is.
    CHECK(std::holds_alternative<policy::to_hub>(p.on_text(join, 1000)));
    CHECK(std::holds_alternative<policy::answer_error>(
        p.on_text(R"({"type":"typing","channel":"general"})", 1000)));
    // Half a second at 2/s refills one token.
    CHECK(std::holds_alternative<policy::to_hub>(p.on_text(post, 1500)));
    CHECK(std::holds_alternative<policy::answer_error>(p.on_text(post, 1500)));
}

TEST_CASE("policy's rate-limit answers do not count toward the malformed-frame budget") {
    connection_policy p(test_limits());
    for (int i = 0; i < 3; ++i) p.on_text(post, 1000);
    for (int i = 0; i < limits::protocol_error_budget + 5; ++i)
        CHECK(as<policy::answer_error>(p.on_text(post, 1000 + i)).code == error_code::rate_limited);
}

TEST_CASE("policy charges every frame to the request budget, whatever it holds") {
    connection_policy p(test_limits());
    for (int i = 0; i < 30; ++i) CHECK(std::holds_alternative<policy::ignore>(p.on_text(heartbeat_answer, 1000)));
    const auto refused = as<policy::answer_error>(p.on_text(heartbeat_answer, 1000));
    CHECK(refused.code == error_code::rate_limited);
    CHECK(refused.message == "too many requests: slow down");
    CHECK_FALSE(refused.ref);
    // A binary frame is a request too.
    CHECK(as<policy::answer_error>(p.on_binary(1000)).code == error_code::rate_limited);
    // 10/s: 100 ms gives one request back.
    CHECK(std::holds_alternative<policy::ignore>(p.on_text(heartbeat_answer, 1100)));
}

TEST_CASE("policy's request-budget refusal names the refused request, so a client can clear it") {
    connection_policy p(test_limits());
    for (int i = 0; i < 30; ++i) CHECK(std::holds_alternative<policy::ignore>(p.on_text(heartbeat_answer, 1000)));
    const std::string history = R"({"type":"history","channel":"general","before":7,"nonce":"h1"})";
    const auto refused = as<policy::answer_error>(p.on_text(history, 1000));
    CHECK(refused.code == error_code::rate_limited);
    CHECK(refused.ref == std::optional<std::string>("h1"));
    CHECK(as<policy::answer_error>(p.on_text(join, 1000)).ref == std::optional<std::string>("j"));
    // A broken frame over the budget is refused as rate_limited, never charged as malformed.
    for (int i = 0; i < limits::protocol_error_budget + 5; ++i)
        CHECK(as<policy::answer_error>(p.on_text("{not json", 1000)).code == error_code::rate_limited);
}

TEST_CASE("policy with rate 0 limits neither posts nor requests") {
    session_limits l = test_limits();
    l.rate_limit = 0;
    connection_policy p(l);
    for (int i = 0; i < 500; ++i) REQUIRE(std::holds_alternative<policy::to_hub>(p.on_text(post, 1000)));
}

TEST_CASE("policy refuses binary frames as invalid_message, charged to the error budget") {
    connection_policy p(test_limits());
    const auto refused = as<policy::answer_error>(p.on_binary(1000));
    CHECK(refused.code == error_code::invalid_message);
    CHECK_FALSE(refused.ref);
    for (int i = 1; i < limits::protocol_error_budget; ++i) p.on_binary(1000 + i * 10);
    CHECK(std::holds_alternative<policy::close_with>(p.on_binary(2000)));
}

TEST_CASE("policy answers a ping with its payload, echoes a close's code, closes a broken stream with its code") {
    connection_policy p(test_limits());
    CHECK(as<policy::answer_pong>(p.on_ping("abc")).payload == "abc");
    CHECK(as<policy::close_with>(p.on_close(4000)) == policy::close_with{4000, ""});
    CHECK(as<policy::close_with>(p.on_close(server::ws::close_code::no_status)) ==
          policy::close_with{server::ws::close_code::no_status, ""});
    CHECK(as<policy::close_with>(p.on_failure(server::ws::close_code::message_too_big)).reason == "message too big");
    CHECK(as<policy::close_with>(p.on_failure(server::ws::close_code::invalid_payload)).reason == "invalid UTF-8");
    const auto broken = as<policy::close_with>(p.on_failure(server::ws::close_code::protocol_error));
    CHECK(broken.code == server::ws::close_code::protocol_error);
    CHECK(broken.reason == "protocol error");
}

TEST_CASE("policy closes a peer that leaves two heartbeats unanswered with 1001; a reply resets the count") {
    connection_policy p(test_limits());
    CHECK(std::holds_alternative<policy::send_heartbeat>(p.on_heartbeat_due()));
    CHECK(std::holds_alternative<policy::send_heartbeat>(p.on_heartbeat_due()));
    CHECK(std::holds_alternative<policy::ignore>(p.on_text(heartbeat_answer, 1000)));
    CHECK(std::holds_alternative<policy::send_heartbeat>(p.on_heartbeat_due()));
    CHECK(std::holds_alternative<policy::send_heartbeat>(p.on_heartbeat_due()));
    const auto dead = as<policy::close_with>(p.on_heartbeat_due());
    CHECK(dead.code == server::ws::close_code::going_away);
    CHECK(dead.reason == "heartbeat timeout");
    static_assert(limits::missed_heartbeats_before_close == 2, "the sequence above is written for 2");
}

TEST_CASE("policy spreads the first heartbeat over the second half of the period") {
    connection_policy p(test_limits());
    CHECK(p.heartbeat_period() == std::chrono::milliseconds(1000));
    CHECK(p.first_heartbeat_delay(0) == std::chrono::milliseconds(500));
    CHECK(p.first_heartbeat_delay(500) == std::chrono::milliseconds(1000));
    CHECK(p.first_heartbeat_delay(501) == std::chrono::milliseconds(500));
    CHECK(p.first_heartbeat_delay(0xFFFFFFFFu) <= std::chrono::milliseconds(1000));
}
