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

bool notify_control(connection& db, std::string_view origin, const control_notice& notice, std::string& error) {
    const std::string prefix = notification_prefix(db, error);
    if (prefix.empty()) return false;
    const std::string channel = prefix + control_channel;
    const std::string payload = encode_control(origin, notice);
    if (!db.prepare("control_notify", "SELECT pg_notify($1, $2)", error)) return false;
    auto r = db.run("control_notify", {channel, payload});
    if (!r.ok()) {
        error = describe("notifying the running servers", r, db);
        return false;
    }
    return true;
}

}  // namespace parley::server::pg
