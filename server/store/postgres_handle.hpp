#pragma once
// Thin owners of a libpq connection and its results: RAII, errors as values. Parameters
// and results travel as text (libpq's default), which is what every column here is made
// of: integers, text and booleans.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace parley::server::pg {

/// One statement's result, cleared on destruction.
class result {
public:
    result() = default;
    explicit result(pg_result* r) : r_(r) {}
    ~result();
    result(result&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }
    result& operator=(result&& other) noexcept;
    result(const result&) = delete;
    result& operator=(const result&) = delete;

    /// Whether the statement succeeded (with or without rows).
    bool ok() const;
    /// The error's SQLSTATE ("23505" a unique violation, ...), "" when none.
    std::string sqlstate() const;
    /// The error's primary message, "" when none.
    std::string message() const;

    /// The command tag ("COMMIT", "ROLLBACK", "INSERT 0 1", ...).
    std::string_view tag() const;
    int rows() const;
    /// Rows an INSERT, UPDATE or DELETE touched.
    std::int64_t affected() const;
    bool is_null(int row, int column) const;
    std::string_view text(int row, int column) const;
    /// The column as an integer (bigint, integer); 0 when NULL or not a number.
    std::int64_t int64(int row, int column) const;
    std::optional<std::int64_t> optional_int64(int row, int column) const;
    /// A boolean column ('t' / 'f').
    bool boolean(int row, int column) const;

private:
    pg_result* r_ = nullptr;
};

/// A parameter of a statement: text, or NULL. It owns its text (a copy per parameter is
/// nothing beside the round trip that sends it).
class param {
public:
    param(std::nullopt_t) {}
    param(std::string_view text) : text_(text) {}
    param(const std::string& text) : text_(text) {}
    param(const char* text) : text_(text) {}
    param(std::int64_t value) : text_(std::to_string(value)) {}
    param(int value) : text_(std::to_string(value)) {}
    param(bool value) : text_(value ? "t" : "f") {}
    template <class T>
    param(const std::optional<T>& value) {
        if (value) text_ = param(*value).text_;
    }

    bool null() const { return !text_.has_value(); }
    const char* c_str() const { return text_ ? text_->c_str() : nullptr; }

private:
    std::optional<std::string> text_;
};

/// A prepared statement and its parameters, for connection::run_all.
struct statement {
    const char* name;
    std::vector<param> params;
};

/// An open connection, closed on destruction. Used by one thread at a time.
class connection {
public:
    /// Connects with a libpq connection string or URI; null with `error` set to one line
    /// (libpq's reason) when it cannot. Client messages (NOTICEs) are not printed.
    static std::unique_ptr<connection> open(const std::string& conninfo, std::string& error);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    pg_conn* get() const { return conn_; }
    /// Runs SQL without parameters (several statements allowed).
    result exec(const char* sql);
    /// Prepares `sql` under `name` for run(); false with `error` set (naming the SQL).
    bool prepare(const char* name, const char* sql, std::string& error);
    /// Runs the statement prepared under `name`.
    result run(const char* name, std::initializer_list<param> params);
    result run(const char* name, const std::vector<param>& params);
    /// Runs `statements` in order in one round trip (libpq's pipeline mode) and answers one
    /// result per statement, in the same order. After a statement fails, the ones behind it
    /// do not run: they answer not ok (PGRES_PIPELINE_ABORTED), as do all of them when the
    /// connection is lost. Inside a transaction a failure leaves it aborted, as run() does.
    std::vector<result> run_all(const std::vector<statement>& statements);
    /// Whether a transaction is open (or failed and waiting for its ROLLBACK).
    bool in_transaction() const;
    /// Whether the connection is still up (it is not after the server went away, nor when
    /// run_all could not leave pipeline mode).
    bool alive() const;
    /// Connects again with the same parameters (prepared statements are gone with the old
    /// session); false with `error` set when the database is still unreachable.
    bool reconnect(std::string& error);
    /// The connection's most recent error, one line.
    std::string last_error() const;

    class open_tag {
        friend class connection;
        open_tag() = default;
    };
    connection(open_tag, pg_conn* conn) : conn_(conn) {}

private:
    pg_conn* conn_;
};

/// `items` as a PostgreSQL array literal of text, `{"a","b\\"c"}`: every element quoted,
/// backslashes and quotes escaped, so any text goes through (a parameter cast to text[]).
std::string text_array(const std::vector<std::string>& items);

/// "what: reason" for a failed result, one line.
std::string describe(const char* what, const result& r, const connection& db);

}  // namespace parley::server::pg
