// Upgrading a database written by an older server: message schema 1 -> 2 (owners by
// account id, deleted text erased, new indexes) and account schema 1 -> 2 (ids never
// reused, audit addresses), on a file built by hand with the old SQL.
#include "store/sqlite_schema.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>

#include "accounts/account_db.hpp"
#include "store/sqlite_backend.hpp"
#include "store_test_support.hpp"

namespace {

using namespace parley::server;
using parley::server::test::temp_dir;
namespace accounts = parley::server::accounts;

// The schemas as version 1 wrote them.
constexpr const char* old_database = R"sql(
CREATE TABLE messages (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    channel   TEXT    NOT NULL,
    user_name TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    posted_at INTEGER NOT NULL,
    owner     TEXT    NOT NULL,
    edited_at INTEGER,
    deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_live_by_channel ON messages (channel, id) WHERE deleted = 0;
CREATE TABLE channels (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE nonces (
    scope TEXT NOT NULL, channel TEXT NOT NULL, nonce TEXT NOT NULL,
    message_id INTEGER NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, channel, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_by_age ON nonces (created_at);
PRAGMA user_version = 1;

CREATE TABLE account_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO account_meta (key, value) VALUES ('schema_version', 1);
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  folded TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
  created_at INTEGER NOT NULL);
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_used INTEGER NOT NULL);
CREATE INDEX tokens_by_account ON tokens(account_id);
CREATE TABLE bans (id INTEGER PRIMARY KEY, folded TEXT NOT NULL, address TEXT NOT NULL,
  until INTEGER NOT NULL, by TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL, channel TEXT NOT NULL, detail TEXT NOT NULL);

INSERT INTO accounts VALUES (1, 'Dave', 'dave', 'h', 'user', 0), (2, 'ann', 'ann', 'h', 'admin', 0);
INSERT INTO tokens VALUES ('t-dave', 1, 0, 0), ('t-ann', 2, 0, 0);
INSERT INTO audit VALUES (1, 5, 'ann', 'kick', 'bob', 'general', '');
INSERT INTO channels VALUES ('general');
INSERT INTO messages (id, channel, user_name, body, posted_at, owner, deleted) VALUES
  (1, 'general', 'Dave', 'hello', 10, 'a:Dave', 0),
  (2, 'general', 'Dave', 'my secret', 11, 'a:Dave', 1),
  (3, 'general', 'gone', 'bye', 12, 'a:gone', 0),
  (4, 'general', 'eve', 'guest text', 13, 'g:session-9', 1);
INSERT INTO nonces VALUES
  ('a:Dave', 'general', 'k1', 1, 10), ('a:Dave', 'general', 'k2', 2, 11),
  ('a:gone', 'general', 'k3', 3, 12), ('g:eve', 'general', 'k4', 4, 13);
)sql";

struct file {
    sqlite3* db = nullptr;
    explicit file(const std::filesystem::path& dir) {
        REQUIRE(sqlite3_open((dir / "parley.sqlite3").c_str(), &db) == SQLITE_OK);
    }
    ~file() { sqlite3_close(db); }
    void exec(const char* sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
        INFO((message ? message : ""));
        sqlite3_free(message);
        REQUIRE(rc == SQLITE_OK);
    }
    std::string text(const char* sql) {
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
        std::string out;
        bool first = true;
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            if (!first) out += "|";
            first = false;
            const auto* t = sqlite3_column_text(stmt, 0);
            out += t ? reinterpret_cast<const char*>(t) : "NULL";
        }
        sqlite3_finalize(stmt);
        return out;
    }
};

}  // namespace

TEST_CASE("migration 1 to 2 keys account messages and nonces by id, disowns removed accounts, erases deleted text") {
    temp_dir dir;
    file(dir.path()).exec(old_database);

    std::string error;
    REQUIRE_MESSAGE(sqlite_backend::open(dir.path(), {}, error), error);
    file f(dir.path());
    CHECK(f.text("PRAGMA user_version") == std::to_string(sqlite::schema_version));
    CHECK(f.text("SELECT owner FROM messages ORDER BY id") == "a:1|a:1||g:session-9");
    CHECK(f.text("SELECT body FROM messages ORDER BY id") == "hello||bye|");
    // Dave's nonces follow his id; the removed account's are forgotten; a guest's stay.
    CHECK(f.text("SELECT resend_scope || ' ' || nonce FROM messages WHERE nonce IS NOT NULL ORDER BY nonce") ==
          "a:1 k1|a:1 k2|g:eve k4");
    CHECK(f.text("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'messages%' ORDER BY name") ==
          "messages_by_channel|messages_by_nonce");
    CHECK(f.text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'nonces%'") == "0");
    // Opening again changes nothing, and a carried nonce still recognises its resend.
    auto again = sqlite_backend::open(dir.path(), {}, error);
    REQUIRE_MESSAGE(again, error);
    CHECK(f.text("SELECT owner FROM messages ORDER BY id") == "a:1|a:1||g:session-9");
    REQUIRE(again->begin(error));
    const auto resend = again->post(test::make_message("general", "hello", "k1", "a:1", 20));
    CHECK(resend.outcome == store_outcome::duplicate);
    CHECK(resend.message.id == 1);
    REQUIRE(again->commit(error));
}

TEST_CASE("account migration 1 to 2 keeps accounts and tokens and never hands out a removed account's id again") {
    temp_dir dir;
    file(dir.path()).exec(old_database);
    std::string error;
    auto db = accounts::account_db::open(dir.path(), error);
    REQUIRE_MESSAGE(db, error);
    file f(dir.path());
    CHECK(f.text("SELECT value FROM account_meta WHERE key = 'schema_version'") == "2");
    CHECK(f.text("SELECT name FROM accounts ORDER BY id") == "Dave|ann");
    CHECK(f.text("SELECT hash FROM tokens ORDER BY hash") == "t-ann|t-dave");  // no cascade on the rebuild
    CHECK(f.text("PRAGMA foreign_key_check") == "");
    const auto audit = db->recent_audit(10);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].address.empty());

    // Remove the newest account (id 2): the next one gets 3, not 2 again.
    REQUIRE(db->remove_account("ann"));
    CHECK(f.text("SELECT count(*) FROM tokens WHERE account_id = 2") == "0");  // cascade still works
    REQUIRE(db->insert_account("zed", "h", accounts::role::user, 0) == accounts::account_db::insert_outcome::created);
    CHECK(db->find_account("zed")->id == 3);
    // And across a reopen.
    db.reset();
    db = accounts::account_db::open(dir.path(), error);
    REQUIRE(db);
    REQUIRE(db->remove_account("zed"));
    REQUIRE(db->insert_account("ann", "h", accounts::role::user, 0) == accounts::account_db::insert_outcome::created);
    CHECK(db->find_account("ann")->id == 4);
}

TEST_CASE("a fresh account database never reuses the id of its newest account") {
    temp_dir dir;
    std::string error;
    auto db = accounts::account_db::open(dir.path(), error);
    REQUIRE_MESSAGE(db, error);
    REQUIRE(db->insert_account("dave", "h", accounts::role::user, 0) == accounts::account_db::insert_outcome::created);
    const auto first = db->find_account("dave")->id;
    REQUIRE(db->remove_account("dave"));
    REQUIRE(db->insert_account("dave", "h", accounts::role::user, 0) == accounts::account_db::insert_outcome::created);
    CHECK(db->find_account("dave")->id > first);
}

TEST_CASE("the audit log keeps the client's address and answers newest first") {
    temp_dir dir;
    std::string error;
    auto db = accounts::account_db::open(dir.path(), error);
    REQUIRE_MESSAGE(db, error);
    REQUIRE(db->insert_audit({0, 1, "ann", "login", "ann", {}, {}, "10.0.0.7"}));
    REQUIRE(db->insert_audit({0, 2, "bob", "login_failed", "bob", {}, "wrong password", "10.0.0.8"}));
    const auto entries = db->recent_audit(10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].action == "login_failed");
    CHECK(entries[0].address == "10.0.0.8");
    CHECK(entries[1].address == "10.0.0.7");
    CHECK(db->recent_audit(1).size() == 1);
}
