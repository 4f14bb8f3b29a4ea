#pragma once
// Control notices as they travel between the servers of one PostgreSQL deployment: the
// payload of a NOTIFY on the deployment's control channel. Written and read here only, by
// the event stream of a running server and by `parley-server admin`, which changes the
// database under running servers and tells them.

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

/// "origin \n kind \n arg \n arg ...": neither the kind nor an argument holds a newline.
std::string encode_control(std::string_view origin, const control_notice& notice);

struct sent_control {
    std::string origin;  ///< who sent it: a server's origin, or "cli"
    control_notice notice;
};
/// The notice in a payload; nullopt when it has no kind.
std::optional<sent_control> decode_control(std::string_view text);

/// Tells every running server of `db`'s deployment (its schema) of `notice`, from `origin`.
/// False with `error` set when it could not be sent.
bool notify_control(connection& db, std::string_view origin, const control_notice& notice, std::string& error);

}  // namespace parley::server::pg
