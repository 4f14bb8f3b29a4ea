#pragma once
// Accounts, session tokens, bans and the moderation audit log, in the server's database:
// SQLite (the same file as the messages, tables of their own; account_db_sqlite.cpp) or
// PostgreSQL (the same database as the messages; account_db_postgres.cpp). Synchronous:
// used by the account service's worker thread, and by `parley-server admin` before the
// server runs.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>


namespace parley::server::accounts {

/// "user" or "admin".
enum class role { user, admin };
std::string_view to_string(role r);
/// The role a stored "admin" or "user" names ("user" for anything else).
role role_from_text(std::string_view text);

/// One account row.
struct account {
    std::int64_t id = 0;
    std::string name;  ///< as registered
    std::string password_hash;
    role level = role::user;
    std::int64_t created_at = 0;
};

/// One session token row (the token itself is never stored).
struct token_row {
    std::string hash;
    std::int64_t account_id = 0;
    std::int64_t last_used = 0;
};

/// One ban: a name (folded), an address, or both, until a time.
struct ban_row {
    std::string folded_name;  ///< empty: address only
    std::string address;      ///< empty: name only
    std::int64_t until = 0;   ///< unix ms
};

/// One entry of the audit log: a moderation action, a refused one, or a sign-in event.
struct audit_entry {
    std::int64_t id = 0;
    std::int64_t at = 0;  ///< unix ms
    std::string actor;    ///< who acted (a name, "(cli)")
    std::string action;   ///< "kick", "ban", "ban_address", "delete", "login", "login_failed",
                          ///< "register", "logout", "refused_kick", ..., "admin_create", ...
    std::string target;
    std::string channel;
    std::string detail;
    std::string address = {};  ///< the client's address; empty for the command line
};

/// The account tables. One thread at a time.
class account_db {
public:
    /// Opens (creating tables if missing) `<data_dir>/parley.sqlite3`; null with `error` set.
    static std::unique_ptr<account_db> open(const std::filesystem::path& data_dir, std::string& error);
    /// Connects to PostgreSQL (a libpq connection string or URI) and creates or migrates
    /// the tables; null with `error` set (one line).
    static std::unique_ptr<account_db> open_postgres(const std::string& conninfo, std::string& error);

    account_db() = default;
    account_db(const account_db&) = delete;
    account_db& operator=(const account_db&) = delete;
    virtual ~account_db() = default;

    enum class insert_outcome { created, taken, failed };
    virtual insert_outcome insert_account(const std::string& name, const std::string& password_hash, role level,
                                          std::int64_t now) = 0;
    virtual std::optional<account> find_account(const std::string& folded_name) = 0;
    virtual std::optional<account> find_account_by_id(std::int64_t id) = 0;
    /// Every account; nullopt when the database failed (see last_error()), as for the other
    /// lists below: an empty list is an answer, a failed read is not.
    virtual std::optional<std::vector<account>> list_accounts() = 0;
    virtual bool remove_account(const std::string& folded_name) = 0;

    virtual bool insert_token(const std::string& hash, std::int64_t account_id, std::int64_t now) = 0;
    virtual bool delete_token(const std::string& hash) = 0;
    /// Writes last-used times (batched by the service).
    virtual bool touch_token(const std::string& hash, std::int64_t last_used) = 0;
    /// Every token used since `since` (older ones have expired).
    virtual std::optional<std::vector<token_row>> tokens_since(std::int64_t since) = 0;
    virtual bool delete_tokens_before(std::int64_t before) = 0;

    virtual bool insert_ban(const ban_row& ban, const std::string& by, std::int64_t now) = 0;
    virtual std::optional<std::vector<ban_row>> bans_after(std::int64_t now) = 0;
    /// Deletes every ban of the name `folded_name` or of `address` (either may be empty);
    /// returns how many, or -1 when the database failed.
    virtual int remove_bans(const std::string& folded_name, const std::string& address) = 0;

    /// Entries kept at most: the oldest beyond it are deleted as new ones come, so failed
    /// logins or refused actions from many addresses cannot grow the database without
    /// bound. A million is years of a busy server's moderation and sign-ins, some 150 MB.
    static constexpr std::int64_t max_audit_entries = 1'000'000;
    /// How often (in entries) the cap is applied: one small delete per thousand inserts.
    static constexpr std::int64_t audit_trim_every = 1000;

    virtual bool insert_audit(const audit_entry& entry) = 0;
    /// The newest `limit` entries, newest first.
    virtual std::vector<audit_entry> recent_audit(int limit) = 0;

    /// The last database error, for logs.
    virtual std::string last_error() const = 0;
};

}  // namespace parley::server::accounts
