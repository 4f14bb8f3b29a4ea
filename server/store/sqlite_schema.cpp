#include "store/sqlite_schema.hpp"

#include <sqlite3.h>

#include <charconv>

namespace parley::server::sqlite {

namespace {

// Version 1. Messages are soft-deleted (`deleted` = 1) so that a resend of a deleted
// message can still be recognised and answered with `deleted`. AUTOINCREMENT keeps ids
// from ever being reused, whatever is removed later.
constexpr const char* schema_v1 = R"sql(
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
-- History pages walk one channel by id; deleted rows are not in the index at all.
CREATE INDEX messages_live_by_channel ON messages (channel, id) WHERE deleted = 0;

CREATE TABLE channels (
    name TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Resend detection: (scope, channel, nonce) -> the message it produced.
CREATE TABLE nonces (
    scope      TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    nonce      TEXT    NOT NULL,
    message_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, channel, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_by_age ON nonces (created_at);

PRAGMA user_version = 1;
)sql";

// Version 2 (issue 11: ownership follows the identity; retention).
// - Accounts own messages by their id, never reused, instead of their name: "a:<name>"
//   becomes "a:<id>" for an account that still exists; a message whose account is gone
//   is owned by nobody (""), and that account's nonces are forgotten, so whoever takes
//   the name later can neither edit nor replay them.
// - A deleted message keeps no text: a resend of its nonce answers the deletion only.
// - History and the per-channel cap walk one index over every row of a channel
//   (deleted rows count against the cap: they still take a row); pruning a message
//   finds its nonces by message id.
constexpr const char* schema_v2 = R"sql(
UPDATE messages SET body = '' WHERE deleted != 0;
DROP INDEX IF EXISTS messages_live_by_channel;
CREATE INDEX messages_by_channel ON messages (channel, id);
CREATE INDEX nonces_by_message ON nonces (message_id);
PRAGMA user_version = 2;
)sql";

// Part of version 2 when the account tables exist (they live in the same file and are
// created by the account service, possibly after this store on a fresh database).
// Account names are ASCII, so lower() is fold_name().
constexpr const char* owners_by_id_v2 = R"sql(
UPDATE messages SET owner = COALESCE(
    (SELECT 'a:' || a.id FROM accounts a WHERE a.folded = lower(substr(messages.owner, 3))), '')
  WHERE substr(owner, 1, 2) = 'a:';
DELETE FROM nonces WHERE substr(scope, 1, 2) = 'a:' AND NOT EXISTS
    (SELECT 1 FROM accounts a WHERE a.folded = lower(substr(nonces.scope, 3)));
UPDATE nonces SET scope = (SELECT 'a:' || a.id FROM accounts a WHERE a.folded = lower(substr(nonces.scope, 3)))
  WHERE substr(scope, 1, 2) = 'a:';
)sql";

// Version 3 (issue 12: stream positions). Each message gets `seq`, its position in its
// channel: 1, 2, 3, ... in commit order with no gaps. Existing rows are numbered per
// channel in id order (ids grow in commit order). The unique index makes a channel's
// last position one seek and refuses a position handed out twice. A channel emptied by
// pruning keeps its last position in channel_positions, so a later post continues
// after it; pruning never renumbers.
constexpr const char* schema_v3 = R"sql(
ALTER TABLE messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET seq = numbered.n
  FROM (SELECT id, row_number() OVER (PARTITION BY channel ORDER BY id) AS n FROM messages) AS numbered
  WHERE messages.id = numbered.id;
CREATE UNIQUE INDEX messages_by_seq ON messages (channel, seq);
CREATE TABLE channel_positions (
    channel  TEXT    PRIMARY KEY,
    last_seq INTEGER NOT NULL
) WITHOUT ROWID;
PRAGMA user_version = 3;
)sql";

// Version 4 (issue 12: fewer pages per post). A post wrote seven B-trees (the row, two
// message indexes, the AUTOINCREMENT counter, the nonce table and its two indexes), and
// with one post per commit at a steady rate its cost was the pages, not the rows.
// - The nonce lives in its message's row, found by one partial unique index: a resend
//   is still one seek, and deleting a row (pruning) takes its nonce with it. Expired
//   nonces are cleared by the upkeep (sqlite_upkeep.cpp) walking ids from a watermark
//   kept in store_state, since ids grow with time.
// - messages_by_seq goes: within a channel seq grows with id, so the channel's newest
//   row by messages_by_channel holds its last position (one seek, as before).
// A post now writes four B-trees: the row, messages_by_channel, messages_by_nonce and
// sqlite_sequence.
constexpr const char* schema_v4 = R"sql(
ALTER TABLE messages ADD COLUMN resend_scope TEXT;
ALTER TABLE messages ADD COLUMN nonce TEXT;
UPDATE messages SET resend_scope = n.scope, nonce = n.nonce
  FROM nonces AS n WHERE n.message_id = messages.id AND n.channel = messages.channel;
DROP TABLE nonces;
DROP INDEX messages_by_seq;
CREATE UNIQUE INDEX messages_by_nonce ON messages (resend_scope, channel, nonce) WHERE nonce IS NOT NULL;
CREATE TABLE store_state (
    key   TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
PRAGMA user_version = 4;
)sql";

// Runs a one-row, one-column PRAGMA and returns its text.
bool pragma_text(connection& db, const char* sql, std::string& value, std::string& error) {
    statement s;
    if (!s.prepare(db, sql, error)) return false;
    const int rc = s.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        error = db.last_error();
        return false;
    }
    value = rc == SQLITE_ROW ? s.column_text(0) : std::string();
    return true;
}

}  // namespace

bool configure(connection& db, sync_mode sync, std::string& error) {
    // 5 s: another process (a backup, the sqlite3 shell) may hold a lock briefly; waiting
    // beats failing a whole batch of posts.
    if (!db.exec("PRAGMA busy_timeout = 5000", error)) return false;

    // WAL: readers never block the writer and a commit is one append to the log.
    std::string mode;
    if (!pragma_text(db, "PRAGMA journal_mode = WAL", mode, error)) return false;
    if (mode != "wal") {
        error = "cannot switch to WAL mode (journal_mode is \"" + mode + "\")";
        return false;
    }
    // NORMAL in WAL mode: a commit survives a crash of the process; FULL adds an fsync per
    // commit so that it also survives power loss.
    const char* sync_sql =
        sync == sync_mode::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
    if (!db.exec(sync_sql, error)) return false;
    // 64 MiB: a burst can grow the WAL far past its checkpoint size; truncate it back to
    // this afterwards instead of keeping the peak on disk forever.
    return db.exec("PRAGMA journal_size_limit = 67108864", error);
}

bool migrate(connection& db, std::string& error) {
    std::string text;
    if (!pragma_text(db, "PRAGMA user_version", text, error)) return false;
    int version = 0;
    std::from_chars(text.data(), text.data() + text.size(), version);
    if (version == schema_version) return true;
    if (version > schema_version) {
        error = "database schema version " + std::to_string(version) +
                " is newer than this server supports (" + std::to_string(schema_version) + ")";
        return false;
    }
    // Each step upgrades one version; all of them commit together or not at all.
    if (!db.exec("BEGIN IMMEDIATE", error)) return false;
    bool ok = true;
    if (version < 1) ok = db.exec(schema_v1, error);
    if (ok && version < 2) {
        std::string has_accounts;
        ok = pragma_text(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'accounts'",
                         has_accounts, error);
        if (ok && !has_accounts.empty()) ok = db.exec(owners_by_id_v2, error);
        if (ok) ok = db.exec(schema_v2, error);
    }
    if (ok && version < 3) ok = db.exec(schema_v3, error);
    if (ok && version < 4) ok = db.exec(schema_v4, error);
    if (ok) ok = db.exec("COMMIT", error);
    if (!ok) {
        std::string ignored;
        if (db.in_transaction()) db.exec("ROLLBACK", ignored);
        error = "cannot create the schema: " + error;
    }
    return ok;
}

}  // namespace parley::server::sqlite
