// Unit: login throttling and the credential functions (Argon2id hashes, session tokens),
// without sockets or a database (PROTOCOL.md, Accounts; Details: Accounts).
#include "accounts/login_throttle.hpp"
#include "accounts/credentials.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using parley::server::accounts::login_throttle;
namespace accounts = parley::server::accounts;

namespace {

/// Records `n` failures of `key` at `now_ms`.
void fail_times(login_throttle& t, const std::string& key, int n, std::int64_t now_ms) {
    for (int i = 0; i < n; ++i) t.record_failure(key, now_ms);
}

bool is_lower_hex(const std::string& s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

/// libsodium is initialised once for the whole executable.
bool crypto_ready() {
    static const bool ready = accounts::init_crypto();
    return ready;
}

}  // namespace

// ------------------------------------------------------------------ login_throttle

TEST_CASE("login throttle lets an unknown key try at once") {
    login_throttle t;
    CHECK(t.wait_ms("a:ann", 1'000) == 0);
}

TEST_CASE("login throttle forgives the first four failures and makes the sixth attempt wait after five") {
    login_throttle t;
    fail_times(t, "a:ann", login_throttle::free_failures - 1, 10'000);
    CHECK(t.wait_ms("a:ann", 10'000) == 0);
    t.record_failure("a:ann", 10'000);  // the fifth
    CHECK(t.wait_ms("a:ann", 10'000) == 1'000);
}

TEST_CASE("login throttle doubles the wait with each further failure") {
    login_throttle t;
    fail_times(t, "ip:10.0.0.1", login_throttle::free_failures, 0);
    CHECK(t.wait_ms("ip:10.0.0.1", 0) == 1'000);
    t.record_failure("ip:10.0.0.1", 0);
    CHECK(t.wait_ms("ip:10.0.0.1", 0) == 2'000);
    t.record_failure("ip:10.0.0.1", 0);
    CHECK(t.wait_ms("ip:10.0.0.1", 0) == 4'000);
    t.record_failure("ip:10.0.0.1", 0);
    CHECK(t.wait_ms("ip:10.0.0.1", 0) == 8'000);
}

TEST_CASE("login throttle caps the wait at fifteen minutes however many failures") {
    login_throttle t;
    fail_times(t, "a:ann", 200, 0);
    CHECK(t.wait_ms("a:ann", 0) == login_throttle::max_wait_ms);
    CHECK(login_throttle::max_wait_ms == 15 * 60 * 1000);
}

TEST_CASE("login throttle wait runs down with time and ends") {
    login_throttle t;
    fail_times(t, "a:ann", login_throttle::free_failures + 1, 50'000);  // 2 s wait
    CHECK(t.wait_ms("a:ann", 50'500) == 1'500);
    CHECK(t.wait_ms("a:ann", 52'000) == 0);
    CHECK(t.wait_ms("a:ann", 99'000) == 0);
}

TEST_CASE("login throttle keeps counting after the wait: the next failure waits longer") {
    login_throttle t;
    fail_times(t, "a:ann", login_throttle::free_failures, 0);  // 1 s
    t.record_failure("a:ann", 5'000);                           // after the wait: 2 s
    CHECK(t.wait_ms("a:ann", 5'000) == 2'000);
}

TEST_CASE("login throttle clear forgets a key's failures") {
    login_throttle t;
    fail_times(t, "a:ann", 10, 0);
    REQUIRE(t.wait_ms("a:ann", 0) > 0);
    t.clear("a:ann");
    CHECK(t.wait_ms("a:ann", 0) == 0);
    t.record_failure("a:ann", 0);
    CHECK(t.wait_ms("a:ann", 0) == 0);  // counting starts over
}

TEST_CASE("login throttle keys are independent: one account's failures do not slow another") {
    login_throttle t;
    fail_times(t, "a:ann", 10, 0);
    CHECK(t.wait_ms("a:ann", 0) > 0);
    CHECK(t.wait_ms("a:bob", 0) == 0);
    CHECK(t.wait_ms("ip:127.0.0.1", 0) == 0);
}

TEST_CASE("login throttle remembers a bounded number of keys, forgetting the oldest first") {
    login_throttle t;
    fail_times(t, "a:victim", login_throttle::free_failures, 0);
    REQUIRE(t.wait_ms("a:victim", 1) > 0);
    // Fill the table with younger keys; the next new key pushes out the oldest, the victim.
    for (std::size_t i = 1; i < login_throttle::max_keys; ++i) t.record_failure("a:k" + std::to_string(i), 1);
    CHECK(t.wait_ms("a:victim", 1) > 0);  // still there at exactly max_keys
    t.record_failure("a:one-more", 2);
    CHECK(t.wait_ms("a:victim", 1) == 0);
}

// ------------------------------------------------------------------ credentials

TEST_CASE("credentials hash a password as Argon2id and verify only that password") {
    REQUIRE(crypto_ready());
    const auto hash = accounts::hash_password("correct horse battery");
    REQUIRE(hash);
    CHECK(hash->starts_with("$argon2id$"));
    CHECK(hash->find("correct horse") == std::string::npos);
    CHECK(accounts::verify_password(*hash, "correct horse battery"));
    CHECK_FALSE(accounts::verify_password(*hash, "correct horse batterY"));
    CHECK_FALSE(accounts::verify_password(*hash, "correct horse battery "));
    CHECK_FALSE(accounts::verify_password(*hash, ""));
}

TEST_CASE("credentials salt each hash: the same password hashes differently twice") {
    REQUIRE(crypto_ready());
    const auto a = accounts::hash_password("same password");
    const auto b = accounts::hash_password("same password");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a != *b);
    CHECK(accounts::verify_password(*a, "same password"));
    CHECK(accounts::verify_password(*b, "same password"));
}

TEST_CASE("credentials verify passwords holding NUL bytes, quotes and SQL by their full length") {
    REQUIRE(crypto_ready());
    const std::string password("x'; DROP TABLE accounts;--\0tail\"", 32);
    const auto hash = accounts::hash_password(password);
    REQUIRE(hash);
    CHECK(accounts::verify_password(*hash, password));
    CHECK_FALSE(accounts::verify_password(*hash, password.substr(0, password.find('\0'))));
}

TEST_CASE("credentials refuse a malformed or empty stored hash rather than accept any password") {
    REQUIRE(crypto_ready());
    CHECK_FALSE(accounts::verify_password("", "anything at all"));
    CHECK_FALSE(accounts::verify_password("$argon2id$garbage", "anything at all"));
    CHECK_FALSE(accounts::verify_password("plaintext-password", "plaintext-password"));
}

TEST_CASE("credentials make 256-bit tokens as 64 hex characters, never the same twice") {
    REQUIRE(crypto_ready());
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const auto token = accounts::new_token();
        CHECK(token.size() == 64);
        CHECK(is_lower_hex(token));
        seen.insert(token);
    }
    CHECK(seen.size() == 100);
}

TEST_CASE("credentials store a token as its SHA-256, which is not the token") {
    REQUIRE(crypto_ready());
    // SHA-256("abc"), FIPS 180-2's example.
    CHECK(accounts::token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const auto token = accounts::new_token();
    const auto hash = accounts::token_hash(token);
    CHECK(hash.size() == 64);
    CHECK(hash != token);
    CHECK(accounts::token_hash(token) == hash);
    CHECK(accounts::token_hash(token + "0") != hash);
}

