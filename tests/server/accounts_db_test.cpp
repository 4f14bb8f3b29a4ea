// The account tables on every database (support/store_places.hpp): accounts, tokens, bans
// and the audit log, as the account service and `parley-server admin` use them.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "accounts/account_db.hpp"
#include "support/store_places.hpp"

namespace {

using namespace parley::server;
using namespace parley::server::accounts;
using namespace parley::server::test;

constexpr std::int64_t now = 1'700'000'000'000;

}  // namespace

TEST_CASE_TEMPLATE("account db: a name is taken once, in any case, and found by its folded form and id", place_type,
                   STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto db = place.open_accounts();
    CHECK(db->insert_account("Ann", "hash-1", role::user, now) == account_db::insert_outcome::created);
    CHECK(db->insert_account("ANN", "hash-2", role::admin, now) == account_db::insert_outcome::taken);
    const auto ann = db->find_account("ann");
    REQUIRE(ann.has_value());
    CHECK(ann->name == "Ann");
    CHECK(ann->password_hash == "hash-1");
    CHECK(ann->level == role::user);
    CHECK(ann->created_at == now);
    REQUIRE(db->find_account_by_id(ann->id).has_value());
    CHECK(db->find_account_by_id(ann->id)->name == "Ann");
    CHECK_FALSE(db->find_account("bob").has_value());
    CHECK(db->insert_account("root", "hash-3", role::admin, now) == account_db::insert_outcome::created);
    const auto all = db->list_accounts().value();
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "Ann");
    CHECK(all[1].level == role::admin);
}

TEST_CASE_TEMPLATE("account db: a removed account's id is never handed out again, and its tokens go with it",
                   place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto db = place.open_accounts();
    REQUIRE(db->insert_account("dave", "h", role::user, now) == account_db::insert_outcome::created);
    const auto first = db->find_account("dave")->id;
    REQUIRE(db->insert_token("token-hash", first, now));
    CHECK(db->remove_account("dave"));
    CHECK_FALSE(db->remove_account("dave"));
    CHECK(db->tokens_since(0).value().empty());
    REQUIRE(db->insert_account("dave", "h", role::user, now) == account_db::insert_outcome::created);
    CHECK(db->find_account("dave")->id > first);
}

TEST_CASE_TEMPLATE("account db: tokens are touched, listed by last use and expired", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto db = place.open_accounts();
    REQUIRE(db->insert_account("ann", "h", role::user, now) == account_db::insert_outcome::created);
    const auto id = db->find_account("ann")->id;
    REQUIRE(db->insert_token("old", id, now));
    REQUIRE(db->insert_token("new", id, now));
    REQUIRE(db->touch_token("new", now + 1000));
    auto recent = db->tokens_since(now + 1).value();
    REQUIRE(recent.size() == 1);
    CHECK(recent[0].hash == "new");
    CHECK(recent[0].account_id == id);
    CHECK(recent[0].last_used == now + 1000);
    REQUIRE(db->delete_tokens_before(now + 1));
    CHECK(db->tokens_since(0).value().size() == 1);
    REQUIRE(db->delete_token("new"));
    CHECK(db->tokens_since(0).value().empty());
}

TEST_CASE_TEMPLATE("account db: bans are in force until their time and lifted by name or address", place_type,
                   STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto db = place.open_accounts();
    REQUIRE(db->insert_ban({"mallory", "", now + 1000}, "root", now));
    REQUIRE(db->insert_ban({"", "192.0.2.7", now + 1000}, "root", now));
    REQUIRE(db->insert_ban({"eve", "198.51.100.1", now + 10}, "root", now));
    CHECK(db->bans_after(now).value().size() == 3);
    CHECK(db->bans_after(now + 10).value().size() == 2);  // eve's has ended
    CHECK(db->remove_bans("mallory", "") == 1);
    CHECK(db->remove_bans("", "192.0.2.7") == 1);
    CHECK(db->remove_bans("nobody", "") == 0);
    const auto left = db->bans_after(now).value();
    REQUIRE(left.size() == 1);
    CHECK(left[0].folded_name == "eve");
    CHECK(left[0].address == "198.51.100.1");
}

TEST_CASE_TEMPLATE("account db: the audit log answers its newest entries first, with their address", place_type,
                   STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto db = place.open_accounts();
    for (int i = 0; i < 5; ++i)
        REQUIRE(db->insert_audit({0, now + i, "root", "kick", "bob" + std::to_string(i), "fishing", "", "192.0.2.1"}));
    const auto entries = db->recent_audit(3);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].target == "bob4");
    CHECK(entries[2].target == "bob2");
    CHECK(entries[0].at == now + 4);
    CHECK(entries[0].address == "192.0.2.1");
    CHECK(entries[0].id > entries[1].id);
}

TEST_CASE_TEMPLATE("account db: the tables share the database with the messages and survive a reopen", place_type,
                   STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    {
        auto store = place.open();
        auto db = place.open_accounts();
        REQUIRE(db->insert_account("ann", "h", role::user, now) == account_db::insert_outcome::created);
    }
    auto db = place.open_accounts();
    CHECK(db->find_account("ann").has_value());
    auto store = place.open();
}
