#pragma once
// The client's brain: connection state machine, channels, messages, presence, typing,
// pending sends, resume. Changed only by transport events (tick()/handle()) and by
// commands; the UI reads it through const accessors and calls commands. No JSON, no
// sockets, no clocks: time arrives as `now` (Unix ms), randomness from the config's seed.
//
// Thread: everything is called from the UI thread only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/backoff.hpp"
#include "model/model_config.hpp"
#include "model/model_types.hpp"
#include "model/page_requests.hpp"
#include "model/transport.hpp"
#include "parley/core/messages.hpp"

namespace parley::client {

/// One user's chat session against one server. Owns its state; borrows the transport,
/// which the caller keeps alive longer than the model.
class chat_model {
public:
    /// Prepares a model; nothing is sent until start().
    chat_model(transport& link, model_config config);
    chat_model(const chat_model&) = delete;
    chat_model& operator=(const chat_model&) = delete;

    // ------------------------------------------------------------- driving the model

    /// Connects (at once) and keeps reconnecting until stop().
    void start(unix_ms now);
    /// Closes the connection and stops reconnecting (the app is quitting or the user
    /// logged out). Pending messages stay and are sent after the next start().
    void stop();
    /// Call once per frame: applies the transport's queued events, then runs the timers
    /// (reconnect, dead-server detection, taken-name retries, typing expiry).
    void tick(unix_ms now);
    /// Applies one transport event. tick() calls it for each polled event; tests call it
    /// directly with scripted frames.
    void handle(const transport_event& event, unix_ms now);
    /// The earliest time at which tick() has timed work to do, so an idle native loop can
    /// wait with a timeout (glfwWaitEventsTimeout); nullopt when only events matter.
    std::optional<unix_ms> next_deadline() const;

    // ------------------------------------------------------------- commands

    /// Claims `name` as given (the server checks the rule). Retries a `taken`
    /// answer briefly; never picks another name. If a different name is already held,
    /// reconnects to claim the new one (a connection keeps its name for life).
    void identify(std::string name, unix_ms now);
    /// Posts `text` to the active channel (see the overload).
    post_result post_message(std::string text, unix_ms now);
    /// Posts `text` to `channel`: refused at once if over 4,000 code points or otherwise
    /// unacceptable (an error entry says why); else shown pending and sent now, or when
    /// connected and identified. Line breaks are "\n".
    post_result post_message(const std::string& channel, std::string text, unix_ms now);
    /// Sends a failed pending message again, with its nonce. False if there is none.
    bool retry_message(std::string_view nonce, unix_ms now);
    /// Drops a pending message (queued or failed) from the screen and the send queue.
    bool discard_message(std::string_view nonce);
    /// Asks the server to replace an own message's text (checked like a post).
    post_result edit_message(message_id id, std::string text, unix_ms now);
    /// Asks the server to delete a message: one's own, or any message for an admin (the
    /// server decides). False when not connected.
    bool delete_message(message_id id, unix_ms now);
    /// Admins: asks the server to remove `user`'s connections from `channel`. False (and
    /// an error entry) when not an admin, not connected, or a name is malformed.
    bool kick(const std::string& channel, const std::string& user, unix_ms now);
    /// Admins: asks the server to ban `user` (name and addresses) for `minutes`, 1 to
    /// limits::max_ban_minutes. False (and an error entry) like kick().
    bool ban(const std::string& user, std::int64_t minutes, unix_ms now);
    /// Switches accounts: connects again with `token` (empty: as a guest, claiming
    /// wanted_name()). Clears sign_in_needed(). Reconnects only if started.
    void use_token(std::string token, unix_ms now);
    /// The user typed in the active channel's input: sends `typing` at most once per 2 s.
    void note_typing(unix_ms now);
    /// Joins `channel` (or makes it active if already joined). False for a bad name.
    bool join_channel(const std::string& channel, unix_ms now);
    /// Leaves `channel`; it disappears when the server confirms (`left`).
    bool leave_channel(const std::string& channel);
    /// Shows `channel`: it becomes the target of posts and typing, and its unread count
    /// resets. False when not joined.
    bool set_active_channel(const std::string& channel);
    /// Fetches the page before the oldest loaded message. False when there is nothing
    /// more, a request is already outstanding, or not connected.
    bool load_older(const std::string& channel);
    /// Asks the server for its channel list; the answer appears in channel_directory().
    bool request_channels();
    /// Forgets the shown errors.
    void clear_errors();

    // ------------------------------------------------------------- reading

    /// Where the connection is (for the status line and for enabling the input).
    connection_state state() const { return state_; }
    /// The name the server granted on this connection; empty when read-only.
    const std::string& user_name() const { return granted_name_; }
    /// The name being claimed (from ?name= or identify()); empty when none.
    const std::string& wanted_name() const { return wanted_name_; }
    /// The account's role on this connection ("user" or "admin") when it was opened with
    /// a token; empty for a guest or before the `connection` frame.
    const std::string& role() const { return role_; }
    /// Whether this connection belongs to an admin account (shows the admin tools).
    bool is_admin() const { return role_ == "admin"; }
    /// The session token seems no longer valid: show "your session expired, sign in
    /// again". Set when a token is configured and two connection attempts in a row fail
    /// before `opened`. The browser's WebSocket cannot show the HTTP 401 that refuses a
    /// revoked token, so this is a guess that a server that is down also triggers; the
    /// model therefore keeps reconnecting, and a later `opened` clears the flag.
    bool sign_in_needed() const { return sign_in_needed_; }
    /// Why wanted_name() is not held, after the retries; none while all is well.
    identity_problem identity_issue() const { return identity_issue_; }
    /// Whether posting works right now (ready and named).
    bool can_post() const { return state_ == connection_state::ready && !granted_name_.empty(); }
    /// The server's heartbeat period (from `connection`; the default until then).
    int heartbeat_ms() const { return heartbeat_ms_; }
    /// The server's software ("parley/1.0"), empty before the first `connection`.
    const std::string& server_name() const { return server_name_; }
    /// When the next reconnect attempt starts (while reconnecting).
    std::optional<unix_ms> reconnect_at() const;
    /// The transport's last complaint ("connection refused", "closed 1001: going away"),
    /// for a status line while connecting or reconnecting; empty once connected.
    const std::string& link_problem() const { return link_problem_; }
    /// Reconnect attempts since the last ready connection.
    int reconnect_attempts() const { return backoff_.attempts(); }

    /// Joined channels, in the order they were joined.
    const std::vector<channel_state>& channels() const { return channels_; }
    /// A joined channel by name, or nullptr.
    const channel_state* find_channel(std::string_view name) const;
    /// The channel shown and posted to; empty when none is joined.
    const std::string& active_channel() const { return active_; }
    /// The active channel's state, or nullptr.
    const channel_state* active() const { return find_channel(active_); }
    /// The server's channel list from the last request_channels() answer.
    const std::vector<channel_summary>& channel_directory() const { return directory_; }
    /// Problems to show, oldest first (bounded by config.max_errors).
    const std::vector<error_entry>& errors() const { return errors_; }
    /// The newest problem, or nullptr.
    const error_entry* last_error() const { return errors_.empty() ? nullptr : &errors_.back(); }
    /// Bumped on every visible change: the UI can skip work (or scroll) when unchanged.
    std::uint64_t revision() const { return revision_; }
    /// The configuration the model runs with.
    const model_config& config() const { return config_; }

private:
    /// Bookkeeping the UI does not see, parallel to channels_.
    struct channel_book {
        std::string name;
        page_requests pages;      ///< history answers awaited (joins, scroll-back, resume)
        std::string leave_nonce;  ///< the `leave` sent, so that an error answering it drops the channel
        unix_ms last_typing_sent = -1'000'000;
        bool leaving = false;
    };

    // Implemented in chat_model_link.cpp: connection, identity, timers.
    void connect_now(unix_ms now);
    void forget_connection();
    void link_lost(unix_ms now, std::string why, bool report);
    void on_text(std::string_view text, unix_ms now);
    void on_connection(const connection_info& info, unix_ms now);
    void on_identity(const identity_result& answer, unix_ms now);
    void send_identity(unix_ms now);
    void became_ready(unix_ms now);
    std::string connect_url() const;
    bool send_frame(const client_frame& frame);
    bool check_admin_command(const std::string& user, const char* what, unix_ms now);

    // Implemented in chat_model_channels.cpp: channels, history, presence, typing.
    void on_joined(const joined_notice& notice, unix_ms now);
    void on_history(const history_page& page, unix_ms now);
    void on_presence(const presence_notice& notice);
    /// A big channel's count-only presence update.
    void on_online(const online_notice& notice);
    /// A page of the channel list; asks for the next one while the server has more.
    void on_channel_list(const channel_list& list);
    void on_typing(const typing_notice& notice, unix_ms now);
    void on_left(const left_notice& notice, unix_ms now);
    void send_join(const std::string& channel, unix_ms now);
    /// Sends a `before` or `after` page request for `channel` with a nonce and records it.
    bool send_history(const std::string& channel, channel_book& entry, page_kind kind, message_id anchor);
    /// Takes in `live`'s stream position before it is shown: a gap since the newest one
    /// seen (messages lost on the way) is paged in with `after`.
    void fill_gap_before(channel_state& state, const chat_message& live);
    /// An `error` whose `ref` names an outstanding join, history or leave: takes that
    /// request out, so the next page is read right. False when `ref` names none of them.
    bool request_refused(const error_notice& notice);
    void expire_typing(unix_ms now);
    channel_state* channel_mut(std::string_view name);
    channel_book* book(std::string_view name);
    void drop_channel(std::string_view name);

    // Implemented in chat_model_messages.cpp: posts, echoes, edits, deletes.
    void on_message(const chat_message& message, unix_ms now);
    void on_edited(const edited_notice& notice);
    void on_deleted(const deleted_notice& notice);
    void on_error(const error_notice& notice, unix_ms now);
    void flush_pending(unix_ms now);
    bool send_pending(pending_message& message);
    std::string next_nonce();
    std::optional<post_result> check_text(std::string_view text, unix_ms now);
    bool is_own_nonce(std::string_view nonce) const;

    void add_error(error_source source, std::optional<error_code> code, std::string message,
                   std::optional<std::string> ref, unix_ms now);
    void changed() { ++revision_; }

    transport& link_;
    model_config config_;
    backoff backoff_;

    connection_state state_ = connection_state::offline;
    bool link_open_ = false;
    bool clogged_ = false;  ///< a send found the outgoing queue full: the link is stuck
    std::string link_problem_;
    bool welcomed_ = false;  ///< the `connection` frame arrived on this connection
    unix_ms attempt_started_ = 0;
    unix_ms last_frame_ = 0;
    std::optional<unix_ms> reconnect_at_;
    int heartbeat_ms_ = limits::default_heartbeat_ms;
    std::string server_name_;
    std::string path_channel_;  ///< the channel this connection's URL joined

    std::string wanted_name_;
    std::string granted_name_;
    std::string role_;  ///< from `connection`, with an account token
    /// Consecutive attempts with a token that closed before `opened` (see sign_in_needed()).
    int refused_in_a_row_ = 0;
    bool sign_in_needed_ = false;
    /// The server closed the link with "banned"; cleared when a connection opens again.
    bool banned_ = false;
    identity_problem identity_issue_ = identity_problem::none;
    bool identity_in_flight_ = false;
    std::optional<unix_ms> taken_since_;
    std::optional<unix_ms> identity_retry_at_;

    std::vector<channel_state> channels_;
    std::vector<channel_book> books_;
    std::string active_;
    std::vector<channel_summary> directory_;
    bool directory_paging_ = false;  ///< a request for the list's next page is out
    std::vector<error_entry> errors_;  ///< bounded by config.max_errors: trimming the front is cheap
    std::uint64_t revision_ = 0;

    /// Own messages a resumed history already showed (sent before a crash, echo lost):
    /// no longer displayed as pending, but resent once with their nonce, because only the
    /// server can say whether that history entry really was them. Bounded like pending.
    std::vector<pending_message> silent_resends_;
    std::string nonce_prefix_;
    std::uint64_t nonce_counter_ = 0;
};

}  // namespace parley::client
