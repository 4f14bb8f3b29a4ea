#include "seed_account.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "accounts/credentials.hpp"
#include "parley/core/text.hpp"
#include "test_database.hpp"

namespace parley::test {
namespace accounts = server::accounts;

std::int64_t unix_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t seed_account(const std::filesystem::path& data, std::string_view name, std::string_view password,
                          accounts::role level) {
    REQUIRE(accounts::init_crypto());
    auto db = open_test_accounts(data);
    const auto hash = accounts::hash_password(password);
    REQUIRE(hash);
    REQUIRE(db->insert_account(std::string(name), *hash, level, unix_now_ms()) ==
            accounts::account_db::insert_outcome::created);
    const auto stored = db->find_account(fold_name(name));
    REQUIRE(stored);
    return stored->id;
}

void seed_audit(const std::filesystem::path& data, const accounts::audit_entry& entry) {
    auto db = open_test_accounts(data);
    REQUIRE(db->insert_audit(entry));
}

}  // namespace parley::test
