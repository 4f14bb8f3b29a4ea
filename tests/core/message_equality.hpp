#pragma once
// Field-by-field equality of protocol messages, for round-trip tests. messages.hpp gives
// most structs no operator== (plain values, no test-only API), so the tests list the
// fields here. A field added to a struct in messages.hpp must be added here too, or the
// round trips silently stop checking it.

#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>

#include "parley/core/messages.hpp"

namespace parley::test {

/// The fields of each message, as a tuple of references (compared with ==).
inline auto fields(const identity_request& m) { return std::tie(m.user); }
inline auto fields(const post_message& m) { return std::tie(m.channel, m.text); }
inline auto fields(const join_request& m) { return std::tie(m.channel, m.since); }
inline auto fields(const leave_request& m) { return std::tie(m.channel); }
inline auto fields(const channels_request& m) { return std::tie(m.after, m.limit); }
inline auto fields(const history_request& m) {
    return std::tie(m.channel, m.before, m.after, m.limit);
}
inline auto fields(const typing_request& m) { return std::tie(m.channel); }
inline auto fields(const heartbeat_reply&) { return std::tuple<>{}; }
inline auto fields(const edit_request& m) { return std::tie(m.id, m.text); }
inline auto fields(const delete_request& m) { return std::tie(m.id); }
inline auto fields(const kick_request& m) { return std::tie(m.channel, m.user); }
inline auto fields(const ban_request& m) { return std::tie(m.user, m.minutes); }

inline auto fields(const connection_info& m) {
    return std::tie(m.id, m.session, m.server, m.heartbeat_ms, m.user, m.role);
}
inline auto fields(const heartbeat_notice& m) { return std::tie(m.authenticated); }
inline auto fields(const identity_result& m) { return std::tie(m.success, m.user, m.reason); }
inline auto fields(const chat_message& m) {
    return std::tie(m.id, m.channel, m.user, m.text, m.timestamp, m.nonce, m.edited_at);
}
inline auto fields(const joined_notice& m) { return std::tie(m.channel, m.users, m.online); }
inline auto fields(const history_page& m) { return std::tie(m.channel, m.messages, m.has_more); }
inline auto fields(const channel_list& m) { return std::tie(m.channels, m.has_more); }
inline auto fields(const online_notice& m) { return std::tie(m.channel, m.online); }
inline auto fields(const presence_notice& m) {
    return std::tie(m.channel, m.user, m.state, m.online);
}
inline auto fields(const typing_notice& m) { return std::tie(m.channel, m.user); }
inline auto fields(const edited_notice& m) {
    return std::tie(m.id, m.channel, m.text, m.edited_at);
}
inline auto fields(const deleted_notice& m) { return std::tie(m.id, m.channel); }
inline auto fields(const left_notice& m) { return std::tie(m.channel, m.reason); }
inline auto fields(const error_notice& m) { return std::tie(m.code, m.message, m.ref); }

/// Same alternative and equal fields.
template <class... Ts>
bool equal(const std::variant<Ts...>& a, const std::variant<Ts...>& b) {
    if (a.index() != b.index()) return false;
    return std::visit(
        [&b](const auto& x) {
            using type = std::decay_t<decltype(x)>;
            return fields(x) == fields(std::get<type>(b));
        },
        a);
}

/// Same message and same nonce.
inline bool equal(const client_frame& a, const client_frame& b) {
    return a.nonce == b.nonce && equal(a.message, b.message);
}

}  // namespace parley::test
