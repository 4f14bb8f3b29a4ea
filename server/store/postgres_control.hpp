#pragma once
// Control notices as they travel between the servers of one PostgreSQL deployment: rows
// of the control log (schema v5), each followed by a NOTIFY on the deployment's control
// channel that wakes the readers (its payload is for servers older than the log). Written
// and read here only, by the event stream of a running server and by `parley-server
// admin`, which changes the database under running servers and tells them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.hpp"

namespace parley::server::pg {

class connection;

/// The channel control notices go on, after the deployment's notification prefix.
inline constexpr const char* control_channel = "control";

/// A notification payload's fields: one a line (every payload here is written so).
std::vector<std::string> payload_fields(std::string_view text);

/// "origin#number \n kind \n arg \n arg ...": neither the kind nor an argument holds a
/// newline. `number` counts the sender's notices from 1; a notice sent again after a lost
/// answer keeps its number, so a reader that finds it twice in the log applies it once.
/// 0 (a notice sent once only, by `parley-server admin`) is written as the origin alone,
/// as every payload was before the numbers.
std::string encode_control(std::string_view origin, std::uint64_t number, const control_notice& notice);

struct sent_control {
    std::string origin;       ///< who sent it: a server's origin, or "cli"
    std::uint64_t number = 0;  ///< its place among the sender's notices; 0: not numbered
    control_notice notice;
};
/// The notice in a payload; nullopt when it has no kind.
std::optional<sent_control> decode_control(std::string_view text);

/// A control notification's payload, for the servers that read payloads (schema 4, before
/// the log) while a rolling upgrade runs them beside this one: the log's row behind a
/// marker, which tells this version's readers to read the log instead, and whose origin
/// the older ones never take for their own. Empty when it would not fit in a notification.
std::string notification_payload(std::string_view row_payload);
/// What a control notification asks of this version's reader.
enum class control_wakeup {
    read_log,  ///< from this version (or the one before it): the notice is in the log
    apply,     ///< from a server of schema 4: the payload is the notice, not in the log
};
control_wakeup classify_notification(std::string_view payload);

/// Prepares append_control() and read_control() on `db` (again after a reconnection);
/// false with `error` set.
bool prepare_control_log(connection& db, std::string& error);

/// Appends `payloads` (encode_control's) to the control log and wakes the readers on
/// `channel` (the deployment's prefix + control_channel), in one transaction. False when
/// it failed: nothing was appended.
bool append_control(connection& db, const std::vector<std::string>& payloads, const std::string& channel);

/// The control log's newest position (0 when empty); -1 on failure.
std::int64_t control_head(connection& db);

/// Up to `limit` rows of the control log after `after`, oldest first.
struct control_row {
    std::int64_t position = 0;
    std::string payload;
};
/// False on failure; `rows` then holds what came before it (nothing).
bool read_control(connection& db, std::int64_t after, int limit, std::vector<control_row>& rows);

/// Tells every running server of `db`'s deployment (its schema) of `notice`, from `origin`.
/// False with `error` set when it could not be sent.
bool notify_control(connection& db, std::string_view origin, const control_notice& notice, std::string& error);

}  // namespace parley::server::pg
