#pragma once
// Thin owners of a SQLite connection and its prepared statements: RAII, errors as values.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace parley::server::sqlite {

/// An open database connection, closed on destruction. Used by one thread at a time
/// (opened in SQLite's multi-thread mode: no per-call mutex).
class connection {
public:
    /// Opens `file`, creating it if missing; null with `error` set when it cannot.
    static std::unique_ptr<connection> open(const std::filesystem::path& file, std::string& error);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    sqlite3* get() const { return db_; }
    /// Runs SQL that returns no rows (several statements allowed); false with `error` set.
    bool exec(const char* sql, std::string& error);
    /// The text of the connection's most recent error.
    std::string last_error() const;
    /// Whether an explicit transaction is open.
    bool in_transaction() const;
    /// The rowid of the last row this connection inserted.
    std::int64_t last_insert_id() const;

    /// Only open() can make the tag, so only open() constructs (through make_unique).
    class open_tag {
        friend class connection;
        open_tag() = default;
    };
    connection(open_tag, sqlite3* db) : db_(db) {}

private:
    sqlite3* db_;
};

/// A prepared statement, finalized on destruction; prepare once, run many times.
/// Text bound with bind() is not copied: it must outlive the run that uses it.
class statement {
public:
    statement() = default;
    ~statement();
    statement(statement&& other) noexcept;
    statement& operator=(statement&& other) noexcept;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    /// Compiles `sql` for `db`; false with `error` set (naming the SQL) when it does not.
    bool prepare(connection& db, const char* sql, std::string& error);

    void bind(int index, std::int64_t value);
    void bind(int index, std::string_view text);
    void bind(int index, const std::optional<std::int64_t>& value);
    void bind_null(int index);

    /// Advances; SQLITE_ROW, SQLITE_DONE or an error code.
    int step();
    /// Steps a statement that returns no rows; true on SQLITE_DONE.
    bool run();

    std::int64_t column_int64(int index) const;
    std::optional<std::int64_t> column_optional_int64(int index) const;
    std::string column_text(int index) const;

    /// Makes the statement ready to run again and drops its bindings. An un-reset
    /// statement would pin a read snapshot and hold back WAL checkpoints.
    void reset();

private:
    sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a statement when leaving scope, however the scope is left.
class reset_on_exit {
public:
    explicit reset_on_exit(statement& s) : statement_(s) {}
    ~reset_on_exit() { statement_.reset(); }
    reset_on_exit(const reset_on_exit&) = delete;
    reset_on_exit& operator=(const reset_on_exit&) = delete;

private:
    statement& statement_;
};

}  // namespace parley::server::sqlite
