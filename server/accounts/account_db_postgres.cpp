// The account tables in PostgreSQL (schema version 2, store/postgres_schema.cpp). Each call
// is one statement in a transaction of its own, as with SQLite. A connection the database
// ended is made again by the next call.
#include "accounts/account_db.hpp"
#include "parley/core/text.hpp"
#include "store/postgres_handle.hpp"
#include "store/postgres_schema.hpp"

namespace parley::server::accounts {

namespace {

namespace sql {
constexpr const char* insert_account = "accounts_insert";
constexpr const char* find_account = "accounts_find";
constexpr const char* find_account_by_id = "accounts_find_by_id";
constexpr const char* list_accounts = "accounts_list";
constexpr const char* remove_account = "accounts_remove";
constexpr const char* insert_token = "tokens_insert";
constexpr const char* delete_token = "tokens_delete";
constexpr const char* touch_token = "tokens_touch";
constexpr const char* tokens_since = "tokens_since";
constexpr const char* delete_tokens_before = "tokens_delete_before";
constexpr const char* insert_ban = "bans_insert";
constexpr const char* bans_after = "bans_after";
constexpr const char* remove_bans = "bans_remove";
constexpr const char* insert_audit = "audit_insert";
constexpr const char* recent_audit = "audit_recent";
constexpr const char* trim_audit = "audit_trim";
}  // namespace sql

constexpr const char* account_columns = "SELECT id, name, password_hash, role, created_at FROM accounts ";

bool prepare_all(pg::connection& db, std::string& error) {
    const std::pair<const char*, std::string> all[] = {
        {sql::insert_account,
         "INSERT INTO accounts (name, folded, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)"},
        {sql::find_account, std::string(account_columns) + "WHERE folded = $1"},
        {sql::find_account_by_id, std::string(account_columns) + "WHERE id = $1"},
        {sql::list_accounts, std::string(account_columns) + "ORDER BY folded COLLATE \"C\""},
        {sql::remove_account, "DELETE FROM accounts WHERE folded = $1"},
        {sql::insert_token, "INSERT INTO tokens (hash, account_id, created_at, last_used) VALUES ($1, $2, $3, $3)"},
        {sql::delete_token, "DELETE FROM tokens WHERE hash = $1"},
        {sql::touch_token, "UPDATE tokens SET last_used = GREATEST(last_used, $2) WHERE hash = $1"},
        {sql::tokens_since, "SELECT hash, account_id, last_used FROM tokens WHERE last_used >= $1"},
        {sql::delete_tokens_before, "DELETE FROM tokens WHERE last_used < $1"},
        {sql::insert_ban, "INSERT INTO bans (folded, address, until, by, created_at) VALUES ($1, $2, $3, $4, $5)"},
        {sql::bans_after, "SELECT folded, address, until FROM bans WHERE until > $1"},
        {sql::remove_bans, "DELETE FROM bans WHERE ($1 <> '' AND folded = $1) OR ($2 <> '' AND address = $2)"},
        {sql::insert_audit,
         "INSERT INTO audit (at, actor, action, target, channel, detail, address) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"},
        {sql::recent_audit,
         "SELECT id, at, actor, action, target, channel, detail, address FROM audit ORDER BY id DESC LIMIT $1"},
        {sql::trim_audit, "DELETE FROM audit WHERE id <= $1::bigint - $2::bigint"},
    };
    for (const auto& [name, text] : all)
        if (!db.prepare(name, text.c_str(), error)) return false;
    return true;
}

account read_account(const pg::result& r, int row) {
    account a;
    a.id = r.int64(row, 0);
    a.name = r.text(row, 1);
    a.password_hash = r.text(row, 2);
    a.level = role_from_text(r.text(row, 3));
    a.created_at = r.int64(row, 4);
    return a;
}

class postgres_account_db final : public account_db {
public:
    explicit postgres_account_db(std::unique_ptr<pg::connection> db) : db_(std::move(db)) {}

    insert_outcome insert_account(const std::string& name, const std::string& password_hash, role level,
                                  std::int64_t now) override {
        auto r = run(sql::insert_account,
                     {name, fold_name(name), password_hash, std::string(to_string(level)), now});
        if (r.ok()) return insert_outcome::created;
        return r.sqlstate() == "23505" ? insert_outcome::taken : insert_outcome::failed;  // unique_violation
    }
    std::optional<account> find_account(const std::string& folded_name) override {
        return one_account(run(sql::find_account, {folded_name}));
    }
    std::optional<account> find_account_by_id(std::int64_t id) override {
        return one_account(run(sql::find_account_by_id, {id}));
    }
    std::optional<std::vector<account>> list_accounts() override {
        auto r = run(sql::list_accounts, {});
        if (!r.ok()) return std::nullopt;
        std::vector<account> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(read_account(r, i));
        return out;
    }
    bool remove_account(const std::string& folded_name) override {
        auto r = run(sql::remove_account, {folded_name});
        return r.ok() && r.affected() > 0;
    }
    bool insert_token(const std::string& hash, std::int64_t account_id, std::int64_t now) override {
        return run(sql::insert_token, {hash, account_id, now}).ok();
    }
    bool delete_token(const std::string& hash) override { return run(sql::delete_token, {hash}).ok(); }
    bool touch_token(const std::string& hash, std::int64_t last_used) override {
        return run(sql::touch_token, {hash, last_used}).ok();
    }
    std::optional<std::vector<token_row>> tokens_since(std::int64_t since) override {
        auto r = run(sql::tokens_since, {since});
        if (!r.ok()) return std::nullopt;
        std::vector<token_row> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({std::string(r.text(i, 0)), r.int64(i, 1), r.int64(i, 2)});
        return out;
    }
    bool delete_tokens_before(std::int64_t before) override {
        return run(sql::delete_tokens_before, {before}).ok();
    }
    bool insert_ban(const ban_row& ban, const std::string& by, std::int64_t now) override {
        return run(sql::insert_ban, {ban.folded_name, ban.address, ban.until, by, now}).ok();
    }
    std::optional<std::vector<ban_row>> bans_after(std::int64_t now) override {
        auto r = run(sql::bans_after, {now});
        if (!r.ok()) return std::nullopt;
        std::vector<ban_row> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({std::string(r.text(i, 0)), std::string(r.text(i, 1)), r.int64(i, 2)});
        return out;
    }
    int remove_bans(const std::string& folded_name, const std::string& address) override {
        auto r = run(sql::remove_bans, {folded_name, address});
        return r.ok() ? static_cast<int>(r.affected()) : -1;
    }
    bool insert_audit(const audit_entry& e) override {
        auto r = run(sql::insert_audit, {e.at, e.actor, e.action, e.target, e.channel, e.detail, e.address});
        if (!r.ok() || r.rows() != 1) return false;
        // Every so often the oldest entries beyond the cap go (ids grow by one per entry).
        if (const auto id = r.int64(0, 0); id % audit_trim_every == 0) run(sql::trim_audit, {id, max_audit_entries});
        return true;
    }
    std::vector<audit_entry> recent_audit(int limit) override {
        auto r = run(sql::recent_audit, {limit});
        std::vector<audit_entry> out;
        for (int i = 0; r.ok() && i < r.rows(); ++i)
            out.push_back({r.int64(i, 0), r.int64(i, 1), std::string(r.text(i, 2)), std::string(r.text(i, 3)),
                           std::string(r.text(i, 4)), std::string(r.text(i, 5)), std::string(r.text(i, 6)),
                           std::string(r.text(i, 7))});
        return out;
    }
    std::string last_error() const override { return last_error_; }

private:
    /// Runs a prepared statement; once more on a new connection when the old one was lost.
    pg::result run(const char* name, std::initializer_list<pg::param> params) {
        auto r = db_->run(name, params);
        if (!r.ok() && !db_->alive()) {
            std::string error;
            if (db_->reconnect(error) && prepare_all(*db_, error))
                r = db_->run(name, params);
            else
                last_error_ = error;
        }
        if (!r.ok() && r.sqlstate() != "23505") last_error_ = pg::describe(name, r, *db_);
        return r;
    }
    static std::optional<account> one_account(const pg::result& r) {
        if (!r.ok() || r.rows() == 0) return std::nullopt;
        return read_account(r, 0);
    }

    std::unique_ptr<pg::connection> db_;
    std::string last_error_;
};

}  // namespace

std::unique_ptr<account_db> account_db::open_postgres(const std::string& conninfo, std::string& error) {
    auto db = pg::connection::open(conninfo, error);
    if (!db || !pg::migrate(*db, error) || !prepare_all(*db, error)) return nullptr;
    return std::make_unique<postgres_account_db>(std::move(db));
}

}  // namespace parley::server::accounts
