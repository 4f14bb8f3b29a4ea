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

std::optional<sent_control> decode_control(std::string_view text) {
    sent_control sent;
    std::size_t field = 0;
    for (std::size_t start = 0;; ++field) {
        const auto end = text.find('\n', start);
        const auto part = std::string(text.substr(start, end == std::string_view::npos ? end : end - start));
        if (field == 0) sent.origin = part;
        else if (field == 1) sent.notice.kind = part;
        else sent.notice.args.push_back(part);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    if (field < 1 || sent.notice.kind.empty()) return std::nullopt;
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
