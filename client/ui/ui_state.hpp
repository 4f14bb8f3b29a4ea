#pragma once
// View-only state: what the views remember between frames that the model does not hold
// (input buffers, scroll positions, focus requests, open menus). Owned by the app, edited
// by the views through references, main thread only. Nothing here is sent anywhere.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "message_layout.hpp"
#include "model/account_api.hpp"
#include "parley/core/messages.hpp"

namespace parley::ui {

/// The start screen's fields.
struct start_form {
    std::string server_url;
    std::string channel;
    std::string name;
    /// For "Sign in" / "Create account"; cleared once the account request is answered.
    std::string password;
    /// An account request is in flight: its buttons are disabled until the answer.
    bool busy = false;
    std::string problem;     ///< why the last attempt to join was refused, shown under the form
    bool focus_name = true;  ///< give the name field keyboard focus on the next frame
    /// The field being edited this frame, for the page's own sign-in fields.
    enum class field : std::uint8_t { none, server, channel, name, password } active = field::none;
    /// The values were filled in from outside (a password manager): the field being
    /// edited lets go of its own copy, so the new values show.
    bool filled = false;
};

/// The message input.
struct composer_state {
    std::string text;
    /// Set when a message is being edited: Enter saves instead of posting.
    std::optional<message_id> editing;
    /// Why the last Enter was refused (too long, blank...), until the text changes.
    std::string refusal;
    /// Give the input keyboard focus on the next frame (after joining, sending, editing).
    bool focus_wanted = true;
};

/// One channel's message list: scroll and layout kept across frames.
struct message_list_state {
    message_layout layout;
    /// Follow new messages; false once the user scrolls up, true again at the bottom.
    bool stick_to_bottom = true;
    /// Messages that arrived while scrolled up: the "new messages" button shows them.
    int unseen = 0;
    /// Scroll to the bottom on the next frame (the jump button, a sent message).
    bool jump_to_bottom = true;
    /// The newest message id seen laid out, to count arrivals while scrolled up.
    message_id newest_seen = 0;
    /// The first message shown and its offset from the top, so loading older history
    /// keeps the view still instead of jumping.
    message_id anchor_id = 0;
    float anchor_offset = 0.0f;
    message_id oldest_laid_out = 0;
    /// Where the list ended the last frame, to tell the user's scrolling from ours.
    float last_scroll_y = 0.0f;
    /// The list's screen rectangle last frame (min x, min y, max x, max y), for the wheel.
    float view_rect[4] = {0, 0, 0, 0};
    /// The message under the mouse last frame (its id; minus one minus the index for a
    /// pending one), highlighted as a whole across its lines.
    long long hovered_key = 0;
};

/// The channel sidebar.
struct sidebar_state {
    std::string join_name;  ///< the "join a channel" field
    std::string join_problem;
    bool directory_open = false;  ///< the server's channel list is shown
};

/// The admin window (admins only). The audit log is fetched over HTTP by the app when
/// the view asks (audit_due), so the views never make requests themselves.
struct admin_state {
    /// The audit tab was drawn this frame: only then is a due fetch made.
    bool audit_shown = false;
    /// A GET /api/audit is in flight.
    bool audit_loading = false;
    /// Fetch at or after this time (Unix ms) while the tab is shown; none when up to date.
    std::optional<unix_ms> audit_due;
    /// The last answer, newest first, and when it came (0: never).
    std::vector<client::audit_entry> audit;
    unix_ms audit_updated = 0;
    /// Why the last fetch failed; empty after a success.
    std::string audit_problem;
    /// The ban length field, in minutes (an hour by default: long enough to stop a
    /// flood, short enough that a mistake costs little).
    int ban_minutes = 60;
};

/// A clickable thing the views drew last frame, by a stable name ("sign_out",
/// "kick:lobby:bob"), in window coordinates (CSS pixels in the browser). End-to-end tests
/// read these from the state probe and click their centres instead of guessing positions.
struct drawn_target {
    std::string name;
    float x = 0, y = 0, width = 0, height = 0;
};

/// What the message list drew last frame, for the state probe (tests assert on it).
struct drawn_message {
    message_id id = 0;  ///< 0 for a pending message
    std::string user;
    std::string text;
    bool pending = false;
    bool failed = false;
    bool mine = false;
    bool edited = false;
};

/// Everything the views remember. One per app.
struct ui_state {
    enum class screen { start, chat };
    screen current = screen::start;

    start_form start;
    composer_state composer;
    sidebar_state sidebar;
    std::map<std::string, message_list_state, std::less<>> lists;  ///< by channel name
    /// The message whose context menu is open.
    std::optional<message_id> menu_message;
    std::string menu_pending_nonce;
    bool show_users = true;
    /// The one-column layout of a narrow window (a phone): the messages take the width,
    /// and the channels or the online list slide over them from the top bar.
    bool one_column = false;
    /// What the text field being edited is called, for assistive technology (the page's
    /// text entry takes it as its label); empty when none is. Set by the views each frame.
    std::string active_field_name;
    enum class drawer : std::uint8_t { none, channels, users } open_drawer = drawer::none;
    /// The top bar's "Sign out" was clicked; the app handles it (logout, forget token).
    bool sign_out_requested = false;
    admin_state admin;

    /// Filled by the views each frame; read by the state probe.
    std::vector<drawn_message> drawn;
    std::string drawn_status;
    std::string drawn_typing;
    std::string drawn_notice;  ///< the notice under the top bar, empty when none is shown
    bool composer_focused = false;
    /// Cleared by the app at the start of each frame, filled by the views.
    std::vector<drawn_target> targets;
};

}  // namespace parley::ui
