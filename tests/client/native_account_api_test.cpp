// The native account_api against a real parley server on loopback: register, login,
// logout, and the server's refusals. Waits are bounded by a deadline and check a condition.
#include "model/account_api.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "support/seed_account.hpp"
#include "support/test_server.hpp"

using namespace parley;
using namespace parley::client;

namespace {

/// Polls `api` until `reply` is set, for at most 20 s (beyond the request's own timeout).
void wait_for(account_api& api, const std::optional<account_reply>& reply) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!reply && std::chrono::steady_clock::now() < deadline) {
        api.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

/// Runs one request through `start` and returns its reply (status 0 if none came).
template <class Start>
account_reply call(account_api& api, Start start) {
    std::optional<account_reply> reply;
    start([&reply](account_reply r) { reply = std::move(r); });
    wait_for(api, reply);
    return reply.value_or(account_reply{});
}

}  // namespace

TEST_CASE("native account_api registers, logs in and logs out against a real server") {
    test::temp_dir data;
    test::test_server server(test::test_config(data.path()));
    const auto api = make_account_api("http://127.0.0.1:" + std::to_string(server.port()));

    const account_reply registered =
        call(*api, [&](account_callback done) { api->register_account("dora", "correct horse 1", std::move(done)); });
    CHECK(registered.status == 201);

    const account_reply taken =
        call(*api, [&](account_callback done) { api->register_account("dora", "another pass 2", std::move(done)); });
    CHECK(taken.status == 409);
    CHECK_FALSE(taken.error.empty());

    const account_reply wrong =
        call(*api, [&](account_callback done) { api->login("dora", "wrong password", std::move(done)); });
    CHECK(wrong.status == 401);

    const account_reply login =
        call(*api, [&](account_callback done) { api->login("dora", "correct horse 1", std::move(done)); });
    REQUIRE(login.status == 200);
    CHECK(login.user == "dora");
    CHECK(login.role == "user");
    CHECK_FALSE(login.token.empty());

    const account_reply out = call(*api, [&](account_callback done) { api->logout(login.token, std::move(done)); });
    CHECK(out.status == 204);
}

TEST_CASE("native account_api reports an unreachable server as status 0 with a reason") {
    // Port 9 (discard) on loopback: nothing listens in the test environment.
    const auto api = make_account_api("http://127.0.0.1:9");
    const account_reply reply =
        call(*api, [&](account_callback done) { api->login("dora", "x", std::move(done)); });
    CHECK(reply.status == 0);
    CHECK_FALSE(reply.error.empty());
}

TEST_CASE("native account_api refuses a base that is not http") {
    const auto api = make_account_api("ftp://127.0.0.1:21");
    const account_reply reply =
        call(*api, [&](account_callback done) { api->login("dora", "x", std::move(done)); });
    CHECK(reply.status == 0);
    CHECK(reply.error.find("http") != std::string::npos);
}

TEST_CASE("native account_api reads the audit log as an admin and is refused it as a user") {
    test::temp_dir data;
    test::seed_account(data.path(), "root", "admin password 1", server::accounts::role::admin);
    test::seed_audit(data.path(), {0, test::unix_now_ms() - 2000, "root", "kick", "bob", "lobby", ""});
    test::seed_audit(data.path(), {0, test::unix_now_ms() - 1000, "root", "ban", "bob", "", "60 minutes"});
    test::test_server server(test::test_config(data.path()));
    const auto api = make_account_api("http://127.0.0.1:" + std::to_string(server.port()));

    const account_reply admin =
        call(*api, [&](account_callback done) { api->login("root", "admin password 1", std::move(done)); });
    REQUIRE(admin.status == 200);
    CHECK(admin.role == "admin");
    const account_reply log = call(*api, [&](account_callback done) { api->audit(admin.token, 100, std::move(done)); });
    CHECK(log.status == 200);
    // Newest first: the admin's own login (logins are audited), then the ban, then the kick.
    REQUIRE(log.audit.size() == 3);
    CHECK(log.audit[0].action == "login");
    CHECK(log.audit[0].actor == "root");
    CHECK(log.audit[1].action == "ban");
    CHECK(log.audit[1].detail == "60 minutes");
    CHECK(log.audit[2].action == "kick");
    CHECK(log.audit[2].channel == "lobby");
    const account_reply one = call(*api, [&](account_callback done) { api->audit(admin.token, 1, std::move(done)); });
    CHECK(one.audit.size() == 1);

    REQUIRE(call(*api, [&](account_callback done) {
                api->register_account("dora", "correct horse 1", std::move(done));
            }).status == 201);
    const account_reply user =
        call(*api, [&](account_callback done) { api->login("dora", "correct horse 1", std::move(done)); });
    REQUIRE(user.status == 200);
    const account_reply refused =
        call(*api, [&](account_callback done) { api->audit(user.token, 100, std::move(done)); });
    CHECK(refused.status == 403);
    CHECK(refused.audit.empty());
    CHECK_FALSE(refused.error.empty());
    const account_reply bad = call(*api, [&](account_callback done) { api->audit("0123", 100, std::move(done)); });
    CHECK(bad.status == 401);
}
