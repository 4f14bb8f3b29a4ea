#include "store/postgres_schema.hpp"

#include <string>

namespace parley::server::pg {

namespace {

// Version 1: messages, channels and the store's state, as SQLite's version 4 has them.
// - Ids come from one sequence with CACHE 1, drawn while the channel's row is locked, so
//   that within a channel ids rise in commit order whichever server posts.
// - `channels` holds each channel's last stream position (the row every post to the
//   channel locks and bumps) and whether it is listed (it has messages): a channel emptied
//   by pruning keeps its position, so a later post continues after it.
// - Messages are soft-deleted so that a resend of a deleted one is still recognised; the
//   nonce lives in its message's row behind one partial unique index.
// - Times are unix milliseconds (bigint), as on the wire.
constexpr const char* schema_v1 = R"sql(
CREATE SEQUENCE message_ids AS bigint CACHE 1;
CREATE TABLE channels (
    name     text    PRIMARY KEY,
    last_seq bigint  NOT NULL DEFAULT 0,
    listed   boolean NOT NULL DEFAULT false
);
CREATE TABLE messages (
    id           bigint  PRIMARY KEY,
    channel      text    NOT NULL,
    seq          bigint  NOT NULL,
    user_name    text    NOT NULL,
    body         text    NOT NULL,
    posted_at    bigint  NOT NULL,
    edited_at    bigint,
    owner        text    NOT NULL,
    deleted      boolean NOT NULL DEFAULT false,
    resend_scope text,
    nonce        text
);
CREATE INDEX messages_by_channel ON messages (channel, id);
CREATE UNIQUE INDEX messages_by_nonce ON messages (resend_scope, channel, nonce) WHERE nonce IS NOT NULL;
CREATE TABLE store_state (
    key   text   PRIMARY KEY,
    value bigint NOT NULL
);
)sql";

// Version 2: accounts, session tokens, bans and the audit log, as SQLite's account tables
// have them. Ids come from sequences, which never hand out an id twice (messages are owned
// by their account's id).
constexpr const char* schema_v2 = R"sql(
CREATE TABLE accounts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text   NOT NULL,
    folded        text   NOT NULL UNIQUE,
    password_hash text   NOT NULL,
    role          text   NOT NULL CHECK (role IN ('user', 'admin')),
    created_at    bigint NOT NULL
);
CREATE TABLE tokens (
    hash       text   PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    last_used  bigint NOT NULL
);
CREATE INDEX tokens_by_account ON tokens (account_id);
CREATE TABLE bans (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    folded     text   NOT NULL,
    address    text   NOT NULL,
    until      bigint NOT NULL,
    by         text   NOT NULL,
    created_at bigint NOT NULL
);
CREATE TABLE audit (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      bigint NOT NULL,
    actor   text   NOT NULL,
    action  text   NOT NULL,
    target  text   NOT NULL,
    channel text   NOT NULL,
    detail  text   NOT NULL,
    address text   NOT NULL DEFAULT ''
);
)sql";

// Version 3: the event stream between servers (docs/architecture/stream.md). Every write
// batch locks the head's one row to append its events, and holds it to its commit, so
// batches from every server take turns there: positions are dense and rise in commit order, and a reader that has everything up to a
// position never finds an earlier one committed later. An event is the frame every member
// of its channel gets, as text; `origin` and `session` name the server and the connection
// that caused it (that connection gets its own receipt instead). Events are kept a while
// (upkeep prunes by `at`): long enough for a server to catch up after a pause.
constexpr const char* schema_v3 = R"sql(
CREATE TABLE stream_head (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    position bigint  NOT NULL
);
INSERT INTO stream_head (position) VALUES (0);
CREATE TABLE events (
    position bigint PRIMARY KEY,
    channel  text   NOT NULL,
    payload  text   NOT NULL,
    origin   text   NOT NULL,
    session  text   NOT NULL,
    at       bigint NOT NULL
);
)sql";

// Version 4: presence between servers (store/postgres_presence.hpp). `nodes` holds each
// running server's heartbeat (the database's clock, ms); `presence` every name online in
// a channel on some server. A guest name is one server's in a channel (the partial unique
// index); an account may be online on several.
constexpr const char* schema_v4 = R"sql(
CREATE TABLE nodes (
    origin       text   PRIMARY KEY,
    name         text   NOT NULL,
    heartbeat_at bigint NOT NULL
);
CREATE TABLE presence (
    channel    text    NOT NULL,
    folded     text    NOT NULL,
    origin     text    NOT NULL,
    display    text    NOT NULL,
    is_account boolean NOT NULL,
    PRIMARY KEY (channel, folded, origin)
);
CREATE UNIQUE INDEX presence_one_guest ON presence (channel, folded) WHERE NOT is_account;
CREATE INDEX presence_by_origin ON presence (origin);
)sql";

// Version 5: the control log (docs/architecture/stream.md, Control notices). Kicks, bans,
// logins, logouts and failed logins go to the other servers as rows, not notification
// payloads, so that a server whose reader was away reads what it missed. Like the events,
// every writer locks the head's one row until its commit: positions are dense and rise in
// commit order. Kept as long as the events (upkeep prunes by `at`, the database's clock).
constexpr const char* schema_v5 = R"sql(
CREATE TABLE control_head (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    position bigint  NOT NULL
);
INSERT INTO control_head (position) VALUES (0);
CREATE TABLE control_log (
    position bigint PRIMARY KEY,
    payload  text   NOT NULL,
    at       bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint
);
)sql";

constexpr const char* migrations[] = {schema_v1, schema_v2, schema_v3, schema_v4, schema_v5};
static_assert(std::size(migrations) == schema_version);

// Any constant shared by every Parley server: migrations in one database take turns.
constexpr const char* take_migration_lock = "SELECT pg_advisory_xact_lock(7370616)";

}  // namespace

bool migrate(connection& db, std::string& error) {
    auto fail = [&](const char* what, const result& r) {
        error = describe(what, r, db);
        db.exec("ROLLBACK");
        return false;
    };
    if (auto r = db.exec("BEGIN"); !r.ok()) return fail("starting the migration", r);
    if (auto r = db.exec(take_migration_lock); !r.ok()) return fail("waiting for another server's migration", r);
    if (auto r = db.exec("CREATE TABLE IF NOT EXISTS parley_schema (version integer NOT NULL)"); !r.ok())
        return fail("creating the schema version table", r);
    auto current = db.exec("SELECT version FROM parley_schema");
    if (!current.ok()) return fail("reading the schema version", current);
    int version = 0;
    if (current.rows() == 0) {
        if (auto r = db.exec("INSERT INTO parley_schema VALUES (0)"); !r.ok())
            return fail("recording the schema version", r);
    } else {
        version = static_cast<int>(current.int64(0, 0));
    }
    if (version > schema_version) {
        error = "the database's schema version " + std::to_string(version) + " is newer than this server's (" +
                std::to_string(schema_version) + "): upgrade the server";
        db.exec("ROLLBACK");
        return false;
    }
    for (; version < schema_version; ++version) {
        if (auto r = db.exec(migrations[version]); !r.ok()) return fail("migrating the schema", r);
        const std::string record = "UPDATE parley_schema SET version = " + std::to_string(version + 1);
        if (auto r = db.exec(record.c_str()); !r.ok()) return fail("recording the schema version", r);
    }
    if (auto r = db.exec("COMMIT"); !r.ok() || r.tag() != "COMMIT") return fail("committing the migration", r);
    return true;
}

std::string notification_prefix(connection& db, std::string& error) {
    auto r = db.exec("SELECT oid FROM pg_namespace WHERE nspname = current_schema()");
    if (!r.ok() || r.rows() != 1) {
        error = r.ok() ? std::string("the connection has no current schema") : describe("reading the schema", r, db);
        return {};
    }
    return "parley_" + std::string(r.text(0, 0)) + "_";
}

}  // namespace parley::server::pg
