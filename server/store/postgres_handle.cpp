#include "store/postgres_handle.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <vector>

namespace parley::server::pg {

namespace {

/// libpq's messages end in a newline and may span lines: one line for a log.
std::string one_line(const char* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (char& c : s)
        if (c == '\n') c = ' ';
    return s;
}

void ignore_notice(void*, const char*) {}

}  // namespace

result::~result() {
    if (r_) PQclear(r_);
}

result& result::operator=(result&& other) noexcept {
    if (this != &other) {
        if (r_) PQclear(r_);
        r_ = other.r_;
        other.r_ = nullptr;
    }
    return *this;
}

bool result::ok() const {
    if (!r_) return false;
    const auto status = PQresultStatus(r_);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string result::sqlstate() const {
    const char* state = r_ ? PQresultErrorField(r_, PG_DIAG_SQLSTATE) : nullptr;
    return state ? state : "";
}

std::string result::message() const {
    if (!r_) return "";
    const char* primary = PQresultErrorField(r_, PG_DIAG_MESSAGE_PRIMARY);
    return one_line(primary ? primary : PQresultErrorMessage(r_));
}

std::string_view result::tag() const { return r_ ? PQcmdStatus(r_) : ""; }

std::int64_t result::affected() const {
    const char* n = r_ ? PQcmdTuples(r_) : "";
    std::int64_t value = 0;
    std::from_chars(n, n + std::char_traits<char>::length(n), value);
    return value;
}

int result::rows() const { return r_ ? PQntuples(r_) : 0; }

bool result::is_null(int row, int column) const { return PQgetisnull(r_, row, column) != 0; }

std::string_view result::text(int row, int column) const {
    return {PQgetvalue(r_, row, column), static_cast<std::size_t>(PQgetlength(r_, row, column))};
}

std::int64_t result::int64(int row, int column) const {
    const auto t = text(row, column);
    std::int64_t value = 0;
    std::from_chars(t.data(), t.data() + t.size(), value);
    return value;
}

std::optional<std::int64_t> result::optional_int64(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return int64(row, column);
}

bool result::boolean(int row, int column) const {
    const auto t = text(row, column);
    return !t.empty() && t[0] == 't';
}

std::unique_ptr<connection> connection::open(const std::string& conninfo, std::string& error) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (!conn) {
        error = "cannot connect to PostgreSQL: out of memory";
        return nullptr;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        error = "cannot connect to PostgreSQL: " + one_line(PQerrorMessage(conn));
        PQfinish(conn);
        return nullptr;
    }
    PQsetNoticeProcessor(conn, &ignore_notice, nullptr);
    return std::make_unique<connection>(open_tag{}, conn);
}

connection::~connection() { PQfinish(conn_); }

result connection::exec(const char* sql) { return result(PQexec(conn_, sql)); }

bool connection::prepare(const char* name, const char* sql, std::string& error) {
    result r(PQprepare(conn_, name, sql, 0, nullptr));
    if (r.ok()) return true;
    error = "preparing \"" + std::string(sql) + "\": " + (r.message().empty() ? last_error() : r.message());
    return false;
}

namespace {

std::vector<const char*> values_of(const std::vector<param>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
    return values;
}

}  // namespace

result connection::run(const char* name, std::initializer_list<param> params) {
    return run(name, std::vector<param>(params));
}

result connection::run(const char* name, const std::vector<param>& params) {
    const auto values = values_of(params);
    return result(PQexecPrepared(conn_, name, static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
}

std::vector<result> connection::run_all(const std::vector<statement>& statements) {
    std::vector<result> results(statements.size());  // default results are not ok
    if (statements.empty() || PQenterPipelineMode(conn_) != 1) return results;
    // In blocking mode libpq reads the server's answers while a send would block, so a
    // long pipeline cannot deadlock on full socket buffers; callers still keep it short.
    std::size_t sent = 0;
    for (const auto& s : statements) {
        const auto values = values_of(s.params);
        if (PQsendQueryPrepared(conn_, s.name, static_cast<int>(values.size()), values.data(), nullptr, nullptr,
                                0) != 1)
            break;
        ++sent;
    }
    if (PQpipelineSync(conn_) == 1) {
        // Each statement answers its result(s) and then a null; the sync point comes last.
        for (std::size_t i = 0; i < sent; ++i) {
            PGresult* first = PQgetResult(conn_);
            if (first == nullptr) break;  // the connection is gone
            results[i] = result(first);
            while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
        }
        while (PGresult* r = PQgetResult(conn_)) {
            const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
            PQclear(r);
            if (sync) break;
        }
    }
    // Fails only with results still unread, which a lost connection leaves behind; alive()
    // then says so and the next batch's begin() connects again.
    PQexitPipelineMode(conn_);
    return results;
}

bool connection::in_transaction() const {
    const auto status = PQtransactionStatus(conn_);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

// A connection left in pipeline mode (run_all could not leave it: answers went missing)
// takes no more statements: it is as good as lost, and is made again.
bool connection::alive() const {
    return PQstatus(conn_) == CONNECTION_OK && PQpipelineStatus(conn_) == PQ_PIPELINE_OFF;
}

bool connection::reconnect(std::string& error) {
    PQreset(conn_);
    if (PQstatus(conn_) == CONNECTION_OK) return true;
    error = "cannot reconnect to PostgreSQL: " + last_error();
    return false;
}

std::string connection::last_error() const { return one_line(PQerrorMessage(conn_)); }

std::string describe(const char* what, const result& r, const connection& db) {
    std::string reason = r.message();
    if (reason.empty()) reason = db.last_error();
    if (reason.empty()) reason = "unknown error";
    return std::string("storage error ") + what + ": " + reason;
}

std::string text_array(const std::vector<std::string>& items) {
    std::string literal = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) literal += ',';
        literal += '"';
        for (const char ch : items[i]) {
            if (ch == '"' || ch == '\\') literal += '\\';
            literal += ch;
        }
        literal += '"';
    }
    return literal + "}";
}

}  // namespace parley::server::pg
