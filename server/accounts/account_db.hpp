#pragma once
// Accounts, session tokens, bans and the moderation audit log, in the server's SQLite
// database (the same file as the messages, tables of their own). Synchronous: used by
// the account service's worker thread, and by `parley-server admin` before the server runs.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite_handle.hpp"

namespace parley::server::accounts {

/// "user" or "admin".
enum class role { user, admin };
std::string_view to_string(role r);

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

    enum class insert_outcome { created, taken, failed };
    insert_outcome insert_account(const std::string& name, const std::string& password_hash, role level,
                                  std::int64_t now);
    std::optional<account> find_account(const std::string& folded_name);
    std::optional<account> find_account_by_id(std::int64_t id);
    std::vector<account> list_accounts();
    bool remove_account(const std::string& folded_name);

    bool insert_token(const std::string& hash, std::int64_t account_id, std::int64_t now);
    bool delete_token(const std::string& hash);
    /// Writes last-used times (batched by the service).
    bool touch_token(const std::string& hash, std::int64_t last_used);
    /// Every token used since `since` (older ones have expired).
    std::vector<token_row> tokens_since(std::int64_t since);
    bool delete_tokens_before(std::int64_t before);

    bool insert_ban(const ban_row& ban, const std::string& by, std::int64_t now);
    std::vector<ban_row> bans_after(std::int64_t now);
    /// Deletes every ban of the name `folded_name` or of `address` (either may be empty);
    /// returns how many, or -1 when the database failed.
    int remove_bans(const std::string& folded_name, const std::string& address);

    /// Entries kept at most: the oldest beyond it are deleted as new ones come, so failed
    /// logins or refused actions from many addresses cannot grow the file without bound.
    /// A million is years of a busy server's moderation and sign-ins, some 150 MB at most.
    static constexpr std::int64_t max_audit_entries = 1'000'000;
    /// How often (in entries) the cap is applied: one small delete per thousand inserts.
    static constexpr std::int64_t audit_trim_every = 1000;

    bool insert_audit(const audit_entry& entry);
    /// The newest `limit` entries, newest first.
    std::vector<audit_entry> recent_audit(int limit);

    /// The last SQLite error, for logs.
    std::string last_error() const { return db_->last_error(); }

    struct statements;
    account_db(std::unique_ptr<sqlite::connection> db, std::unique_ptr<statements> st);
    ~account_db();

private:
    std::unique_ptr<sqlite::connection> db_;
    std::unique_ptr<statements> st_;
};

}  // namespace parley::server::accounts
