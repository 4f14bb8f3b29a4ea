// A server that missed the other servers' notices (its stream connection was down) reads the
// account tables again: what another server changed meanwhile applies here too. Two services
// on one database stand for two servers that were not told of each other's changes.
#include "accounts/account_service.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "accounts/account_db.hpp"
#include "accounts/credentials.hpp"
#include "support/store_places.hpp"

namespace {

using namespace parley::server;
using namespace parley::server::accounts;
using namespace parley::server::test;

constexpr const char* ann_password = "ann-password-1";

std::unique_ptr<account_service> service_on(std::unique_ptr<account_db> db) {
    std::string error;
    auto service = account_service::open(std::move(db), account_limits{}, error);
    REQUIRE_MESSAGE(service, error);
    return service;
}

/// Runs `service`'s re-read and waits (bounded) for it: the names it found newly banned.
std::vector<std::string> resync(account_service& service) {
    auto promise = std::make_shared<std::promise<std::vector<std::string>>>();
    auto future = promise->get_future();
    service.resync([promise](std::vector<std::string> banned) { promise->set_value(std::move(banned)); });
    REQUIRE(future.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    return future.get();
}

api_answer answer_of(const std::function<void(account_service::done)>& start) {
    auto promise = std::make_shared<std::promise<api_answer>>();
    auto future = promise->get_future();
    start([promise](api_answer a) { promise->set_value(std::move(a)); });
    REQUIRE(future.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    return future.get();
}

std::int64_t unix_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST_CASE_TEMPLATE("accounts read again: logins, logouts, bans and unbans made elsewhere apply", place_type,
                   STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto tables = place.open_accounts();
    auto a = service_on(place.open_accounts());
    auto b = service_on(place.open_accounts());

    // An account and a login made through A, which tells nobody here.
    const auto hash = hash_password(ann_password);
    REQUIRE(hash);
    REQUIRE(tables->insert_account("Ann", *hash, role::user, unix_now_ms()) == account_db::insert_outcome::created);
    const auto login = answer_of([&](auto done) { a->login("Ann", ann_password, "10.0.0.1", done); });
    REQUIRE_MESSAGE(login.status == 200, login.body);
    const std::string token = login.body.substr(login.body.find("\"token\":\"") + 9, 64);
    REQUIRE(a->verify_token(token));
    CHECK_FALSE(b->verify_token(token));
    CHECK_FALSE(b->is_account_name("ann"));
    CHECK(resync(*b).empty());
    REQUIRE(b->verify_token(token));
    CHECK(b->verify_token(token)->name == "Ann");
    CHECK(b->is_account_name("ann"));

    // A logout through A: B refuses the token once it read again.
    CHECK(answer_of([&](auto done) { a->logout(token, "10.0.0.1", done); }).status == 204);
    CHECK(b->verify_token(token));
    resync(*b);
    CHECK_FALSE(b->verify_token(token));

    // A ban through A (its rows are written on A's worker: A's own re-read comes after).
    a->record_ban("root", "eve", {"10.0.0.9"}, unix_now_ms() + 3'600'000);
    resync(*a);
    CHECK_FALSE(b->is_banned("eve", ""));
    CHECK(resync(*b) == std::vector<std::string>{"eve"});
    CHECK(b->is_banned("eve", ""));
    CHECK(b->is_banned("", "10.0.0.9"));
    CHECK(resync(*b).empty());  // known now: nobody to put out again

    // Lifted behind B's back (as `parley-server admin unban` does): B lets eve in again.
    REQUIRE(tables->remove_bans("eve", "10.0.0.9") == 2);
    CHECK(b->is_banned("eve", ""));
    resync(*b);
    CHECK_FALSE(b->is_banned("eve", ""));
    CHECK_FALSE(b->is_banned("", "10.0.0.9"));

    // A read that fails changes nothing: B keeps the token it knew (an empty list read
    // from a failed query would have signed everyone out).
    const auto again = answer_of([&](auto done) { a->login("Ann", ann_password, "10.0.0.1", done); });
    REQUIRE(again.status == 200);
    const std::string second = again.body.substr(again.body.find("\"token\":\"") + 9, 64);
    resync(*b);
    REQUIRE(b->verify_token(second));
    place.query("DROP TABLE tokens");
    resync(*b);
    CHECK(b->verify_token(second));
    CHECK(b->is_account_name("ann"));
}
