#include "store/postgres_control.hpp"

#include <charconv>

#include "store/postgres_handle.hpp"
#include "store/postgres_schema.hpp"

namespace parley::server::pg {

namespace {
/// Between the origin and the notice's number (origins are hex, or "cli").
constexpr char number_mark = '#';
/// Before a notification's payload that is also a row of the log.
constexpr char log_mark = '@';
}  // namespace

std::string encode_control(std::string_view origin, std::uint64_t number, const control_notice& notice) {
    std::string text(origin);
    if (number != 0) {
        text += number_mark;
        text += std::to_string(number);
    }
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
    if (const auto mark = sent.origin.rfind(number_mark); mark != std::string::npos) {
        const char* first = sent.origin.data() + mark + 1;
        const char* last = sent.origin.data() + sent.origin.size();
        const auto [end, ec] = std::from_chars(first, last, sent.number);
        if (ec != std::errc() || end != last) return std::nullopt;
        sent.origin.resize(mark);
    }
    sent.notice.kind = std::move(fields[1]);
    sent.notice.args.assign(std::make_move_iterator(fields.begin() + 2), std::make_move_iterator(fields.end()));
    return sent;
}

std::string notification_payload(std::string_view row_payload) {
    // PostgreSQL refuses a payload of 8000 bytes or more; a notice that long (none is
    // today) reaches only this version's readers, which read the log.
    constexpr std::size_t payload_limit = 7999;
    if (row_payload.size() + 1 > payload_limit) return {};
    std::string text(1, log_mark);
    text += row_payload;
    return text;
}

control_wakeup classify_notification(std::string_view payload) {
    // Empty: the version that brought the log, before the payloads came back for upgrades.
    return payload.empty() || payload.front() == log_mark ? control_wakeup::read_log : control_wakeup::apply;
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
                      "SELECT pg_notify($2::text, t.notified) FROM unnest($3::text[]) WITH ORDINALITY AS t(notified, n) "
                      "WHERE EXISTS (SELECT 1 FROM added) ORDER BY t.n",
                      error) &&
           db.prepare(sql::read,
                      "SELECT position, payload FROM control_log WHERE position > $1 ORDER BY position LIMIT $2",
                      error);
}

bool append_control(connection& db, const std::vector<std::string>& payloads, const std::string& channel) {
    std::vector<std::string> notified;
    notified.reserve(payloads.size());
    for (const auto& p : payloads) notified.push_back(notification_payload(p));
    return db.run(sql::append, {text_array(payloads), channel, text_array(notified)}).ok();
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
    if (!append_control(db, {encode_control(origin, 0, notice)}, prefix + control_channel)) {
        error = "notifying the running servers: " + db.last_error();
        return false;
    }
    return true;
}

}  // namespace parley::server::pg
