#pragma once
// Puts accounts and audit entries straight into a data directory's database, as
// `parley-server admin create` would, before a test server opens it.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "accounts/account_db.hpp"

namespace parley::test {

/// Creates account `name` with `password` and role `level` in `<data>/parley.sqlite3`;
/// returns its id. Fails the running test case if anything goes wrong.
std::int64_t seed_account(const std::filesystem::path& data, std::string_view name, std::string_view password,
                          server::accounts::role level);

/// Appends `entry` to the audit log in `<data>/parley.sqlite3`.
void seed_audit(const std::filesystem::path& data, const server::accounts::audit_entry& entry);

/// Now, in Unix milliseconds.
std::int64_t unix_now_ms();

}  // namespace parley::test
