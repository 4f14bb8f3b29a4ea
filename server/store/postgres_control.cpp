#include "store/postgres_control.hpp"

#include "store/postgres_handle.hpp"
#include "store/postgres_schema.hpp"

namespace parley::server::pg {

std::string encode_control(std::string_view origin, const control_notice& notice) {
    std::string text(origin);
    text += '\n';
    text += notice.kind;
    for (const auto& arg : notice.args) {
        text += '\n';
        text += arg;
    }
    return text;
}

std::vector<std::string> payload_fields(std::string_view text) {
    std::vector<std::string> fields;
    for (std::size_t start = 0;;) {
        const auto end = text.find('\n', start);
        fields.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) return fields;
        start = end + 1;
    }
}

std::optional<sent_control> decode_control(std::string_view text) {
    auto fields = payload_fields(text);
    if (fields.size() < 2 || fields[1].empty()) return std::nullopt;
    sent_control sent;
    sent.origin = std::move(fields[0]);
    sent.notice.kind = std::move(fields[1]);
    sent.notice.args.assign(std::make_move_iterator(fields.begin() + 2), std::make_move_iterator(fields.end()));
    return sent;
}

namespace {
namespace sql {
constexpr const char* append = "control_append";
constexpr const char* read = "control_read";
}  // namespace sql
}  // namespace

bool prepare_control_log(connection& db, std::string& error) {
    // One statement, so one transaction: the head's row stays locked until the commit, so
    // a writer on another server waits there and positions commit in order. A
    // data-modifying WITH runs to completion whatever the outer query reads of it.
    return db.prepare(sql::append,
                      "WITH head AS (UPDATE control_head SET position = position + cardinality($1::text[]) "
                      "RETURNING position), "
                      "added AS (INSERT INTO control_log (position, payload) "
                      "SELECT head.position - cardinality($1::text[]) + t.n, t.payload "
                      "FROM head, unnest($1::text[]) WITH ORDINALITY AS t(payload, n) RETURNING position) "
                      "SELECT pg_notify($2::text, '') FROM (SELECT 1 FROM added LIMIT 1) AS woken",
                      error) &&
           db.prepare(sql::read,
                      "SELECT position, payload FROM control_log WHERE position > $1 ORDER BY position LIMIT $2",
                      error);
}

bool append_control(connection& db, const std::vector<std::string>& payloads, const std::string& channel) {
    return db.run(sql::append, {text_array(payloads), channel}).ok();
}

std::int64_t control_head(connection& db) {
    auto r = db.exec("SELECT position FROM control_head");
    return r.ok() && r.rows() == 1 ? r.int64(0, 0) : -1;
}

bool read_control(connection& db, std::int64_t after, int limit, std::vector<control_row>& rows) {
    rows.clear();
    auto r = db.run(sql::read, {after, std::int64_t{limit}});
    if (!r.ok()) return false;
    for (int i = 0; i < r.rows(); ++i) rows.push_back({r.int64(i, 0), std::string(r.text(i, 1))});
    return true;
}

bool notify_control(connection& db, std::string_view origin, const control_notice& notice, std::string& error) {
    const std::string prefix = notification_prefix(db, error);
    if (prefix.empty()) return false;
    if (!prepare_control_log(db, error)) return false;
    if (!append_control(db, {encode_control(origin, notice)}, prefix + control_channel)) {
        error = "notifying the running servers: " + db.last_error();
        return false;
    }
    return true;
}

}  // namespace parley::server::pg
