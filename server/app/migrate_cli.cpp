#include "app/migrate_cli.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "accounts/account_db.hpp"
#include "store/postgres_handle.hpp"
#include "store/postgres_schema.hpp"
#include "store/sqlite_handle.hpp"
#include "store/sqlite_schema.hpp"

namespace parley::server {

namespace {

namespace fs = std::filesystem;

/// What was copied, for the closing line.
struct copied {
    std::int64_t messages = 0, channels = 0, accounts = 0, tokens = 0, bans = 0, audit = 0;
};

/// One copy from SQLite to PostgreSQL: both connections and the first error.
class migration {
public:
    migration(sqlite::connection& from, pg::connection& to) : from_(from), to_(to) {}

    const std::string& error() const { return error_; }

    /// Copies every table in the transaction the caller opened on `to`.
    bool copy_all(copied& done) {
        return copy_accounts(done) && copy_tokens(done) && copy_bans(done) && copy_audit(done) &&
               copy_messages(done) && copy_channels(done) && copy_state() && advance_sequences();
    }

private:
    bool fail(const std::string& what) {
        error_ = what;
        return false;
    }
    bool read(sqlite::statement& s, const char* sql) {
        if (!s.prepare(from_, sql, error_)) return false;
        return true;
    }
    bool write(const char* name, const char* sql) {
        return to_.prepare(name, sql, error_);
    }
    bool ran(const pg::result& r, const char* what) {
        if (r.ok()) return true;
        return fail(pg::describe(what, r, to_));
    }

    /// Runs `select` on SQLite and, for each row, `insert` (prepared as `name`) with the
    /// parameters `row(s)` gives: `to_.run(name, {...})`. Counts the rows in `count`.
    template <class Row>
    bool copy_rows(const char* select, const char* name, const char* insert, const char* what,
                   std::int64_t& count, Row row) {
        sqlite::statement s;
        if (!read(s, select) || !write(name, insert)) return false;
        while (s.step() == row_ready) {
            if (!ran(row(s), what)) return false;
            ++count;
        }
        return true;
    }

    bool copy_accounts(copied& done) {
        return copy_rows(
            "SELECT id, name, folded, password_hash, role, created_at FROM accounts ORDER BY id", "m_account",
            "INSERT INTO accounts (id, name, folded, password_hash, role, created_at) OVERRIDING SYSTEM VALUE "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            "copying an account", done.accounts, [&](sqlite::statement& s) {
                return to_.run("m_account", {s.column_int64(0), s.column_text(1), s.column_text(2),
                                             s.column_text(3), s.column_text(4), s.column_int64(5)});
            });
    }

    bool copy_tokens(copied& done) {
        return copy_rows(
            "SELECT hash, account_id, created_at, last_used FROM tokens", "m_token",
            "INSERT INTO tokens (hash, account_id, created_at, last_used) VALUES ($1, $2, $3, $4)",
            "copying a session token", done.tokens, [&](sqlite::statement& s) {
                return to_.run("m_token", {s.column_text(0), s.column_int64(1), s.column_int64(2), s.column_int64(3)});
            });
    }

    bool copy_bans(copied& done) {
        return copy_rows(
            "SELECT folded, address, until, by, created_at FROM bans ORDER BY id", "m_ban",
            "INSERT INTO bans (folded, address, until, by, created_at) VALUES ($1, $2, $3, $4, $5)", "copying a ban",
            done.bans, [&](sqlite::statement& s) {
                return to_.run("m_ban", {s.column_text(0), s.column_text(1), s.column_int64(2), s.column_text(3),
                                         s.column_int64(4)});
            });
    }

    bool copy_audit(copied& done) {
        // In id order: PostgreSQL's new ids keep the log's order.
        return copy_rows(
            "SELECT at, actor, action, target, channel, detail, address FROM audit ORDER BY id", "m_audit",
            "INSERT INTO audit (at, actor, action, target, channel, detail, address) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            "copying an audit entry", done.audit, [&](sqlite::statement& s) {
                return to_.run("m_audit", {s.column_int64(0), s.column_text(1), s.column_text(2), s.column_text(3),
                                           s.column_text(4), s.column_text(5), s.column_text(6)});
            });
    }

    bool copy_messages(copied& done) {
        const pg::param none(std::nullopt);
        return copy_rows(
            "SELECT id, channel, seq, user_name, body, posted_at, edited_at, owner, deleted, "
            "resend_scope IS NULL OR nonce IS NULL, resend_scope, nonce FROM messages ORDER BY id",
            "m_message",
            "INSERT INTO messages (id, channel, seq, user_name, body, posted_at, edited_at, owner, deleted, "
            "resend_scope, nonce) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            "copying a message", done.messages, [&](sqlite::statement& s) {
                const bool no_nonce = s.column_int64(9) != 0;
                return to_.run("m_message",
                               {s.column_int64(0), s.column_text(1), s.column_int64(2), s.column_text(3),
                                s.column_text(4), s.column_int64(5), s.column_optional_int64(6), s.column_text(7),
                                s.column_int64(8) != 0, no_nonce ? none : pg::param(s.column_text(10)),
                                no_nonce ? none : pg::param(s.column_text(11))});
            });
    }

    bool copy_channels(copied& done) {
        // SQLite keeps the listed channels and the positions apart; PostgreSQL in one row.
        // A channel whose messages were all pruned keeps its position, unlisted.
        return copy_rows(
            "SELECT name, MAX(last_seq), MAX(listed) FROM ("
            " SELECT channel AS name, last_seq, 0 AS listed FROM channel_positions"
            " UNION ALL SELECT name, (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE channel = name), 1"
            " FROM channels) GROUP BY name",
            "m_channel", "INSERT INTO channels (name, last_seq, listed) VALUES ($1, $2, $3)", "copying a channel",
            done.channels, [&](sqlite::statement& s) {
                return to_.run("m_channel", {s.column_text(0), s.column_int64(1), s.column_int64(2) != 0});
            });
    }

    bool copy_state() {
        std::int64_t rows = 0;
        return copy_rows("SELECT key, value FROM store_state", "m_state",
                         "INSERT INTO store_state (key, value) VALUES ($1, $2)", "copying the store's state", rows,
                         [&](sqlite::statement& s) {
                             return to_.run("m_state", {s.column_text(0), s.column_int64(1)});
                         });
    }

    /// The next message and account ids continue after the largest ever handed out
    /// (SQLite's AUTOINCREMENT counters: ids of deleted rows are not given again).
    bool advance_sequences() {
        auto largest = [&](const char* table, std::int64_t& out) {
            sqlite::statement s;
            const std::string sql = std::string("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '") +
                                    table + "'), 0), COALESCE((SELECT MAX(id) FROM " + table + "), 0))";
            if (!read(s, sql.c_str())) return false;
            if (s.step() != row_ready) return fail(std::string("reading the largest id of ") + table);
            out = s.column_int64(0);
            return true;
        };
        std::int64_t message_max = 0, account_max = 0;
        if (!largest("messages", message_max) || !largest("accounts", account_max)) return false;
        if (!write("m_setval", "SELECT setval($1::regclass, $2, $3)")) return false;
        // setval(.., 1, false): the next value is 1, as in a fresh database.
        if (!ran(to_.run("m_setval", {"message_ids", std::max<std::int64_t>(message_max, 1), message_max > 0}),
                 "advancing the message ids"))
            return false;
        auto sequence = to_.exec("SELECT pg_get_serial_sequence('accounts', 'id')");
        if (!ran(sequence, "finding the account ids") || sequence.rows() != 1) return false;
        return ran(to_.run("m_setval", {std::string(sequence.text(0, 0)), std::max<std::int64_t>(account_max, 1),
                                        account_max > 0}),
                   "advancing the account ids");
    }

    // SQLITE_ROW without including sqlite3.h here.
    static constexpr int row_ready = 100;

    sqlite::connection& from_;
    pg::connection& to_;
    std::string error_;
};

int refuse(const std::string& why) {
    std::fprintf(stderr, "parley-server migrate: %s\n", why.c_str());
    return 1;
}

}  // namespace

int run_migrate(const migrate_command& command) {
    const fs::path file = command.data_dir / "parley.sqlite3";
    std::error_code ec;
    if (!fs::exists(file, ec))
        return refuse("there is no Parley database in " + command.data_dir.string() + " (no parley.sqlite3)");
    std::string error;
    // Both schemas brought up to date first, as a server starting on them would.
    if (!accounts::account_db::open(command.data_dir, error)) return refuse("the SQLite account tables: " + error);
    auto from = sqlite::connection::open(file, error);
    if (!from || !sqlite::migrate(*from, error)) return refuse("the SQLite database: " + error);
    auto to = pg::connection::open(command.postgres, error);
    if (!to || !pg::migrate(*to, error)) return refuse(error);

    if (auto r = to->exec("BEGIN"); !r.ok()) return refuse(pg::describe("starting the migration", r, *to));
    // A running server's write batches wait here, and what it committed before is seen.
    auto head = to->exec("SELECT position FROM stream_head FOR UPDATE");
    auto present = to->exec(
        "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM channels) + (SELECT count(*) FROM accounts)"
        " + (SELECT count(*) FROM tokens) + (SELECT count(*) FROM bans) + (SELECT count(*) FROM audit)");
    if (!head.ok() || !present.ok() || present.rows() != 1)
        return refuse(pg::describe("reading the target database", present.ok() ? head : present, *to));
    if (present.int64(0, 0) != 0)
        return refuse("the PostgreSQL database already holds Parley data: migrate copies into an empty one only");

    copied done;
    migration m(*from, *to);
    if (!m.copy_all(done)) {
        to->exec("ROLLBACK");
        return refuse(m.error() + " (nothing was copied)");
    }
    if (auto r = to->exec("COMMIT"); !r.ok() || r.tag() != "COMMIT")
        return refuse(pg::describe("committing the migration", r, *to) + " (nothing was copied)");
    std::printf("migrated %lld messages in %lld channels, %lld accounts, %lld session tokens, %lld bans and %lld "
                "audit entries from %s\n",
                static_cast<long long>(done.messages), static_cast<long long>(done.channels),
                static_cast<long long>(done.accounts), static_cast<long long>(done.tokens),
                static_cast<long long>(done.bans), static_cast<long long>(done.audit), file.string().c_str());
    return 0;
}

}  // namespace parley::server
