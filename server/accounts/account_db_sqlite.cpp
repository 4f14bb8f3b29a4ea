// The account tables in SQLite.
#include <sqlite3.h>

#include "accounts/account_db.hpp"
#include "parley/core/text.hpp"
#include "store/sqlite_handle.hpp"

namespace parley::server::accounts {

namespace {

// Tables of their own, versioned in their own row (the message tables use user_version).
// Version 2: account ids are AUTOINCREMENT, so the id of a removed account never comes
// back (messages are owned by the id); audit entries carry the client's address.
constexpr const char* schema_v2 = R"sql(
CREATE TABLE IF NOT EXISTS account_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO account_meta (key, value) VALUES ('schema_version', 2);
CREATE TABLE IF NOT EXISTS accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  folded TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_used INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tokens_by_account ON tokens(account_id);
CREATE TABLE IF NOT EXISTS bans (
  id INTEGER PRIMARY KEY,
  folded TEXT NOT NULL,
  address TEXT NOT NULL,
  until INTEGER NOT NULL,
  by TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  channel TEXT NOT NULL,
  detail TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '');
)sql";

// Version 1 to 2. SQLite cannot add AUTOINCREMENT to a table, so accounts is rebuilt
// (ids kept; sqlite_sequence starts at the highest). Runs with foreign keys off, or
// dropping the old table would cascade to every token.
constexpr const char* upgrade_v1_to_v2 = R"sql(
CREATE TABLE accounts_v2 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  folded TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
  created_at INTEGER NOT NULL);
INSERT INTO accounts_v2 (id, name, folded, password_hash, role, created_at)
  SELECT id, name, folded, password_hash, role, created_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v2 RENAME TO accounts;
ALTER TABLE audit ADD COLUMN address TEXT NOT NULL DEFAULT '';
UPDATE account_meta SET value = 2 WHERE key = 'schema_version';
)sql";

constexpr int schema_version = 2;

/// The account tables' version: 0 when there are none yet.
int stored_version(sqlite::connection& db, std::string& error) {
    sqlite::statement s;
    if (!s.prepare(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'account_meta'", error))
        return -1;
    if (s.step() != SQLITE_ROW) return 0;
    sqlite::statement v;
    if (!v.prepare(db, "SELECT value FROM account_meta WHERE key = 'schema_version'", error)) return -1;
    return v.step() == SQLITE_ROW ? static_cast<int>(v.column_int64(0)) : 0;
}

/// Brings the account tables to schema_version; false with `error` set.
bool migrate(sqlite::connection& db, std::string& error) {
    if (!db.exec("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = OFF;", error)) return false;
    if (!db.exec("BEGIN IMMEDIATE", error)) return false;
    const int version = stored_version(db, error);
    bool ok = version >= 0;
    if (ok && version > schema_version) {
        error = "account schema version " + std::to_string(version) + " is newer than this server supports (" +
                std::to_string(schema_version) + ")";
        ok = false;
    }
    if (ok && version == 1) ok = db.exec(upgrade_v1_to_v2, error);
    if (ok) ok = db.exec(schema_v2, error);
    if (ok) ok = db.exec("COMMIT", error);
    if (!ok) {
        std::string ignored;
        if (db.in_transaction()) db.exec("ROLLBACK", ignored);
        return false;
    }
    return db.exec("PRAGMA foreign_keys = ON;", error);
}

struct statements {
    sqlite::statement insert_account, find_account, find_account_by_id, list_accounts, remove_account;
    sqlite::statement insert_token, delete_token, touch_token, tokens_since, delete_tokens_before;
    sqlite::statement insert_ban, bans_after, remove_bans, insert_audit, recent_audit, trim_audit;
};

class sqlite_account_db final : public account_db {
public:
    sqlite_account_db(std::unique_ptr<sqlite::connection> db, std::unique_ptr<statements> st)
        : db_(std::move(db)), st_(std::move(st)) {}

    insert_outcome insert_account(const std::string& name, const std::string& password_hash, role level,
                                  std::int64_t now) override;
    std::optional<account> find_account(const std::string& folded_name) override;
    std::optional<account> find_account_by_id(std::int64_t id) override;
    std::optional<std::vector<account>> list_accounts() override;
    bool remove_account(const std::string& folded_name) override;
    bool insert_token(const std::string& hash, std::int64_t account_id, std::int64_t now) override;
    bool delete_token(const std::string& hash) override;
    bool touch_token(const std::string& hash, std::int64_t last_used) override;
    std::optional<std::vector<token_row>> tokens_since(std::int64_t since) override;
    bool delete_tokens_before(std::int64_t before) override;
    bool insert_ban(const ban_row& ban, const std::string& by, std::int64_t now) override;
    std::optional<std::vector<ban_row>> bans_after(std::int64_t now) override;
    int remove_bans(const std::string& folded_name, const std::string& address) override;
    bool insert_audit(const audit_entry& entry) override;
    std::vector<audit_entry> recent_audit(int limit) override;
    std::string last_error() const override { return db_->last_error(); }

private:
    std::unique_ptr<sqlite::connection> db_;
    std::unique_ptr<statements> st_;
};

}  // namespace

std::unique_ptr<account_db> account_db::open(const std::filesystem::path& data_dir, std::string& error) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    auto db = sqlite::connection::open(data_dir / "parley.sqlite3", error);
    if (!db) return nullptr;
    if (!migrate(*db, error)) return nullptr;
    auto st = std::make_unique<statements>();
    const bool ok =
        st->insert_account.prepare(*db, "INSERT INTO accounts (name, folded, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)", error) &&
        st->find_account.prepare(*db, "SELECT id, name, password_hash, role, created_at FROM accounts WHERE folded = ?1", error) &&
        st->find_account_by_id.prepare(*db, "SELECT id, name, password_hash, role, created_at FROM accounts WHERE id = ?1", error) &&
        st->list_accounts.prepare(*db, "SELECT id, name, password_hash, role, created_at FROM accounts ORDER BY folded", error) &&
        st->remove_account.prepare(*db, "DELETE FROM accounts WHERE folded = ?1", error) &&
        st->insert_token.prepare(*db, "INSERT INTO tokens (hash, account_id, created_at, last_used) VALUES (?1, ?2, ?3, ?3)", error) &&
        st->delete_token.prepare(*db, "DELETE FROM tokens WHERE hash = ?1", error) &&
        st->touch_token.prepare(*db, "UPDATE tokens SET last_used = ?2 WHERE hash = ?1", error) &&
        st->tokens_since.prepare(*db, "SELECT hash, account_id, last_used FROM tokens WHERE last_used >= ?1", error) &&
        st->delete_tokens_before.prepare(*db, "DELETE FROM tokens WHERE last_used < ?1", error) &&
        st->insert_ban.prepare(*db, "INSERT INTO bans (folded, address, until, by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)", error) &&
        st->bans_after.prepare(*db, "SELECT folded, address, until FROM bans WHERE until > ?1", error) &&
        st->remove_bans.prepare(*db, "DELETE FROM bans WHERE (?1 != '' AND folded = ?1) OR (?2 != '' AND address = ?2)", error) &&
        st->insert_audit.prepare(*db, "INSERT INTO audit (at, actor, action, target, channel, detail, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error) &&
        st->recent_audit.prepare(*db, "SELECT id, at, actor, action, target, channel, detail, address FROM audit ORDER BY id DESC LIMIT ?1", error) &&
        st->trim_audit.prepare(*db, "DELETE FROM audit WHERE id <= ?1 - ?2", error);
    if (!ok) return nullptr;
    return std::make_unique<sqlite_account_db>(std::move(db), std::move(st));
}

namespace {

account read_account(sqlite::statement& s) {
    account a;
    a.id = s.column_int64(0);
    a.name = s.column_text(1);
    a.password_hash = s.column_text(2);
    a.level = role_from_text(s.column_text(3));
    a.created_at = s.column_int64(4);
    return a;
}

std::optional<account> one_account(sqlite::statement& s) {
    if (s.step() != SQLITE_ROW) return std::nullopt;
    return read_account(s);
}

}  // namespace

account_db::insert_outcome sqlite_account_db::insert_account(const std::string& name, const std::string& password_hash,
                                                      role level, std::int64_t now) {
    auto& s = st_->insert_account;
    sqlite::reset_on_exit reset(s);
    const std::string folded = fold_name(name);
    const std::string level_text(to_string(level));
    s.bind(1, name);
    s.bind(2, folded);
    s.bind(3, password_hash);
    s.bind(4, level_text);
    s.bind(5, now);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return insert_outcome::created;
    return (rc & 0xff) == SQLITE_CONSTRAINT ? insert_outcome::taken : insert_outcome::failed;
}

std::optional<account> sqlite_account_db::find_account(const std::string& folded_name) {
    auto& s = st_->find_account;
    sqlite::reset_on_exit reset(s);
    s.bind(1, folded_name);
    return one_account(s);
}

std::optional<account> sqlite_account_db::find_account_by_id(std::int64_t id) {
    auto& s = st_->find_account_by_id;
    sqlite::reset_on_exit reset(s);
    s.bind(1, id);
    return one_account(s);
}

std::optional<std::vector<account>> sqlite_account_db::list_accounts() {
    auto& s = st_->list_accounts;
    sqlite::reset_on_exit reset(s);
    std::vector<account> out;
    int step = SQLITE_ROW;
    while ((step = s.step()) == SQLITE_ROW) out.push_back(read_account(s));
    if (step != SQLITE_DONE) return std::nullopt;
    return out;
}

bool sqlite_account_db::remove_account(const std::string& folded_name) {
    auto& s = st_->remove_account;
    sqlite::reset_on_exit reset(s);
    s.bind(1, folded_name);
    return s.run() && sqlite3_changes(db_->get()) > 0;
}

bool sqlite_account_db::insert_token(const std::string& hash, std::int64_t account_id, std::int64_t now) {
    auto& s = st_->insert_token;
    sqlite::reset_on_exit reset(s);
    s.bind(1, hash);
    s.bind(2, account_id);
    s.bind(3, now);
    return s.run();
}

bool sqlite_account_db::delete_token(const std::string& hash) {
    auto& s = st_->delete_token;
    sqlite::reset_on_exit reset(s);
    s.bind(1, hash);
    return s.run();
}

bool sqlite_account_db::touch_token(const std::string& hash, std::int64_t last_used) {
    auto& s = st_->touch_token;
    sqlite::reset_on_exit reset(s);
    s.bind(1, hash);
    s.bind(2, last_used);
    return s.run();
}

std::optional<std::vector<token_row>> sqlite_account_db::tokens_since(std::int64_t since) {
    auto& s = st_->tokens_since;
    sqlite::reset_on_exit reset(s);
    s.bind(1, since);
    std::vector<token_row> out;
    int step = SQLITE_ROW;
    while ((step = s.step()) == SQLITE_ROW) out.push_back({s.column_text(0), s.column_int64(1), s.column_int64(2)});
    if (step != SQLITE_DONE) return std::nullopt;
    return out;
}

bool sqlite_account_db::delete_tokens_before(std::int64_t before) {
    auto& s = st_->delete_tokens_before;
    sqlite::reset_on_exit reset(s);
    s.bind(1, before);
    return s.run();
}

bool sqlite_account_db::insert_ban(const ban_row& ban, const std::string& by, std::int64_t now) {
    auto& s = st_->insert_ban;
    sqlite::reset_on_exit reset(s);
    s.bind(1, ban.folded_name);
    s.bind(2, ban.address);
    s.bind(3, ban.until);
    s.bind(4, by);
    s.bind(5, now);
    return s.run();
}

int sqlite_account_db::remove_bans(const std::string& folded_name, const std::string& address) {
    auto& s = st_->remove_bans;
    sqlite::reset_on_exit reset(s);
    s.bind(1, folded_name);
    s.bind(2, address);
    return s.run() ? sqlite3_changes(db_->get()) : -1;
}

std::optional<std::vector<ban_row>> sqlite_account_db::bans_after(std::int64_t now) {
    auto& s = st_->bans_after;
    sqlite::reset_on_exit reset(s);
    s.bind(1, now);
    std::vector<ban_row> out;
    int step = SQLITE_ROW;
    while ((step = s.step()) == SQLITE_ROW) out.push_back({s.column_text(0), s.column_text(1), s.column_int64(2)});
    if (step != SQLITE_DONE) return std::nullopt;
    return out;
}

bool sqlite_account_db::insert_audit(const audit_entry& e) {
    auto& s = st_->insert_audit;
    sqlite::reset_on_exit reset(s);
    s.bind(1, e.at);
    s.bind(2, e.actor);
    s.bind(3, e.action);
    s.bind(4, e.target);
    s.bind(5, e.channel);
    s.bind(6, e.detail);
    s.bind(7, e.address);
    if (!s.run()) return false;
    // Every so often the oldest entries beyond the cap go (ids grow by one per entry).
    if (const auto id = db_->last_insert_id(); id % audit_trim_every == 0) {
        auto& t = st_->trim_audit;
        sqlite::reset_on_exit reset_trim(t);
        t.bind(1, id);
        t.bind(2, max_audit_entries);
        t.run();
    }
    return true;
}

std::vector<audit_entry> sqlite_account_db::recent_audit(int limit) {
    auto& s = st_->recent_audit;
    sqlite::reset_on_exit reset(s);
    s.bind(1, std::int64_t{limit});
    std::vector<audit_entry> out;
    while (s.step() == SQLITE_ROW)
        out.push_back({s.column_int64(0), s.column_int64(1), s.column_text(2), s.column_text(3), s.column_text(4),
                       s.column_text(5), s.column_text(6), s.column_text(7)});
    return out;
}

}  // namespace parley::server::accounts
