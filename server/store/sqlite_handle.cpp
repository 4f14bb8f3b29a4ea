#include "store/sqlite_handle.hpp"

#include <sqlite3.h>

#include <utility>

namespace parley::server::sqlite {

std::unique_ptr<connection> connection::open(const std::filesystem::path& file, std::string& error) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        error =
            "cannot open " + file.string() + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);  // a handle comes back even on failure (or null: harmless)
        return nullptr;
    }
    return std::make_unique<connection>(open_tag{}, db);
}

connection::~connection() {
    // Statements are finalized by their owners first; close_v2 tolerates stragglers.
    sqlite3_close_v2(db_);
}

bool connection::exec(const char* sql, std::string& error) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
    error = message != nullptr ? message : last_error();
    sqlite3_free(message);
    return false;
}

std::string connection::last_error() const {
    return sqlite3_errmsg(db_);
}

bool connection::in_transaction() const {
    return sqlite3_get_autocommit(db_) == 0;
}

std::int64_t connection::last_insert_id() const {
    return sqlite3_last_insert_rowid(db_);
}

statement::~statement() {
    sqlite3_finalize(stmt_);
}

statement::statement(statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

statement& statement::operator=(statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
}

bool statement::prepare(connection& db, const char* sql, std::string& error) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    // PERSISTENT: these statements live as long as the connection.
    if (sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) == SQLITE_OK)
        return true;
    error = "cannot prepare \"" + std::string(sql) + "\": " + db.last_error();
    return false;
}

void statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
}

void statement::bind(int index, std::string_view text) {
    // A null pointer would bind SQL NULL, not an empty string.
    const char* data = text.data() != nullptr ? text.data() : "";
    sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void statement::bind(int index, const std::optional<std::int64_t>& value) {
    if (value)
        sqlite3_bind_int64(stmt_, index, *value);
    else
        sqlite3_bind_null(stmt_, index);
}

void statement::bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
}

int statement::step() {
    return sqlite3_step(stmt_);
}

bool statement::run() {
    return step() == SQLITE_DONE;
}

std::int64_t statement::column_int64(int index) const {
    return sqlite3_column_int64(stmt_, index);
}

std::optional<std::int64_t> statement::column_optional_int64(int index) const {
    if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, index);
}

std::string statement::column_text(int index) const {
    const auto* text = sqlite3_column_text(stmt_, index);
    const int bytes = sqlite3_column_bytes(stmt_, index);
    if (text == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

void statement::reset() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

}  // namespace parley::server::sqlite
