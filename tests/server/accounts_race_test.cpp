// The registration race of issue 11: a sign-up refused with 409/429/503 gave back its name
// reservation by erasing the name's entry, even when a login had meanwhile stored the real
// account there; the next token check then threw out of its handler. Reproduced
// deterministically: the guest-name check, which register runs while holding the
// reservation, is where the test slips the concurrent login in.
#include "accounts/account_service.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "accounts/account_db.hpp"
#include "accounts/credentials.hpp"
#include "support/temp_dir.hpp"

namespace accounts = parley::server::accounts;

namespace {

constexpr const char* dave_password = "dave-password-1";

/// Calls `start(callback)` and waits (bounded) for the answer.
template <class Start>
accounts::api_answer answer_of(Start&& start) {
    auto promise = std::make_shared<std::promise<accounts::api_answer>>();
    auto future = promise->get_future();
    start([promise](accounts::api_answer a) { promise->set_value(std::move(a)); });
    REQUIRE(future.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    return future.get();
}

/// Creates `dave` straight in the database, as `parley-server admin create` would while the
/// server runs: the service's cache does not know the name yet.
void create_dave_behind_the_service(const std::filesystem::path& data) {
    std::string error;
    auto db = accounts::account_db::open(data, error);
    REQUIRE_MESSAGE(db, error);
    const auto hash = accounts::hash_password(dave_password);
    REQUIRE(hash);
    REQUIRE(db->insert_account("dave", *hash, accounts::role::user, 0) == accounts::account_db::insert_outcome::created);
}

/// dave's token from a login run while a registration of "dave" holds its reservation.
struct login_inside_registration {
    accounts::account_service& service;
    bool guest_holds_name;  ///< what the guest check answers after the login (true: 409)
    std::optional<std::string> token;

    bool operator()(std::string_view folded) {
        if (folded != "dave" || token) return false;
        const auto answer = answer_of([&](auto done) { service.login("dave", dave_password, "10.0.0.2", done); });
        REQUIRE_MESSAGE(answer.status == 200, answer.body);
        const auto start = answer.body.find("\"token\":\"");
        REQUIRE(start != std::string::npos);
        token = answer.body.substr(start + 9, 64);
        return guest_holds_name;
    }
};

}  // namespace

TEST_CASE("a registration refused with 409 while a login remembers the account leaves that account intact") {
    parley::test::temp_dir data;
    std::string error;
    accounts::account_limits limits;
    limits.registrations_per_hour = 0;
    auto service = accounts::account_service::open(data.path(), limits, error);
    REQUIRE_MESSAGE(service, error);
    create_dave_behind_the_service(data.path());

    auto hook = std::make_shared<login_inside_registration>(login_inside_registration{*service, true, std::nullopt});
    service->set_guest_lookup([hook](std::string_view folded) { return (*hook)(folded); });
    const auto refused =
        answer_of([&](auto done) { service->register_account("dave", "another-password", "10.0.0.1", done); });
    CHECK(refused.status == 409);
    REQUIRE(hook->token);

    // Before the fix this threw std::out_of_range (and in the server, ended the process).
    std::optional<accounts::signed_in> who;
    CHECK_NOTHROW(who = service->verify_token(*hook->token));
    REQUIRE(who);
    CHECK(who->name == "dave");
    CHECK(service->is_account_name("dave"));
}

TEST_CASE("a registration refused with 429 while a login remembers the account leaves that account intact") {
    parley::test::temp_dir data;
    std::string error;
    accounts::account_limits limits;
    limits.registrations_per_hour = 1;
    auto service = accounts::account_service::open(data.path(), limits, error);
    REQUIRE_MESSAGE(service, error);
    REQUIRE(answer_of([&](auto done) { service->register_account("first", "password-1", "10.0.0.1", done); }).status ==
            201);
    create_dave_behind_the_service(data.path());

    auto hook = std::make_shared<login_inside_registration>(login_inside_registration{*service, false, std::nullopt});
    service->set_guest_lookup([hook](std::string_view folded) { return (*hook)(folded); });
    const auto refused =
        answer_of([&](auto done) { service->register_account("dave", "another-password", "10.0.0.1", done); });
    CHECK(refused.status == 429);
    REQUIRE(hook->token);
    std::optional<accounts::signed_in> who;
    CHECK_NOTHROW(who = service->verify_token(*hook->token));
    REQUIRE(who);
    CHECK(who->name == "dave");
}

TEST_CASE("a name being registered is taken for guests and other sign-ups, and given back when refused") {
    parley::test::temp_dir data;
    std::string error;
    accounts::account_limits limits;
    limits.registrations_per_hour = 0;
    auto service = accounts::account_service::open(data.path(), limits, error);
    REQUIRE_MESSAGE(service, error);
    bool seen_reserved = false;
    std::optional<int> nested_status;
    service->set_guest_lookup([&](std::string_view folded) {
        if (folded != "zoe") return false;
        seen_reserved = service->is_account_name("zoe");
        if (!nested_status)
            nested_status = static_cast<int>(
                answer_of([&](auto done) { service->register_account("ZOE", "password-2", "10.0.0.3", done); }).status);
        return true;  // a guest holds it: 409
    });
    CHECK(answer_of([&](auto done) { service->register_account("zoe", "password-1", "10.0.0.1", done); }).status ==
          409);
    CHECK(seen_reserved);
    CHECK(nested_status == std::optional<int>(409));
    CHECK_FALSE(service->is_account_name("zoe"));  // given back
}
