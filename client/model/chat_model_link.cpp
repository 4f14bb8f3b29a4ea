// chat_model: the connection's life — connect, welcome, identity, loss, reconnect.
#include <algorithm>
#include <utility>

#include "model/chat_model.hpp"
#include "parley/core/codec.hpp"
#include "parley/core/text.hpp"

namespace parley::client {
namespace {

/// Percent-encodes everything but RFC 3986's unreserved characters.
std::string query_escape(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += "0123456789ABCDEF"[c >> 4];
            out += "0123456789ABCDEF"[c & 0xF];
        }
    }
    return out;
}

}  // namespace

std::string chat_model::connect_url() const {
    std::string url = config_.server_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += '/';
    url += path_channel_;
    char separator = '?';
    if (const channel_state* channel = find_channel(path_channel_); channel && !channel->messages.empty()) {
        url += separator;
        url += "since=" + std::to_string(channel->messages.back().id);
        separator = '&';
    }
    if (!config_.token.empty()) {
        url += separator;
        url += "token=" + query_escape(config_.token);
    }
    return url;
}

void chat_model::forget_connection() {
    link_open_ = false;
    welcomed_ = false;
    clogged_ = false;
    granted_name_.clear();
    role_.clear();
    identity_in_flight_ = false;
    taken_since_.reset();
    identity_retry_at_.reset();
    for (channel_state& channel : channels_) {
        channel.joined = false;
        channel.join_failure.clear();  // the next connection joins again
        channel.loading_older = false;
        channel.resuming = false;
        channel.typing.clear();
        // Unconfirmed sends go again on the next connection, with the same nonce.
        for (pending_message& message : channel.pending)
            if (message.status == pending_message::state::sent) message.status = pending_message::state::queued;
    }
    for (channel_book& entry : books_) entry.pages.clear();
}

void chat_model::connect_now(unix_ms now) {
    forget_connection();
    reconnect_at_.reset();
    // Left channels went at once; the URL joins the shown channel (resuming it), and any
    // other joined channel is joined with `since` once the server says `connection`.
    channels_.erase(std::remove_if(channels_.begin(), channels_.end(),
                                   [this](const channel_state& c) { return book(c.name)->leaving; }),
                    channels_.end());
    books_.erase(std::remove_if(books_.begin(), books_.end(), [](const channel_book& b) { return b.leaving; }),
                 books_.end());
    if (channels_.empty()) {
        channels_.push_back(channel_state{});
        channels_.back().name = config_.channel;
        books_.push_back(channel_book{});
        books_.back().name = config_.channel;
    }
    if (!find_channel(active_)) active_ = channels_.front().name;
    path_channel_ = active_;
    const channel_state* path = find_channel(path_channel_);
    // The URL's join is no frame and has no nonce: only its page can answer it.
    if (path->messages.empty())
        book(path_channel_)->pages.expect(page_request{page_kind::join, {}, 0});
    else
        book(path_channel_)->pages.expect(page_request{page_kind::join_since, {}, path->messages.back().id});

    state_ = connection_state::connecting;
    attempt_started_ = now;
    last_frame_ = now;
    link_.connect(connect_url());
    changed();
}

void chat_model::link_lost(unix_ms now, std::string why, bool report) {
    link_.close();
    forget_connection();
    if (report) add_error(error_source::link, std::nullopt, "connection lost: " + why, std::nullopt, now);
    link_problem_ = std::move(why);
    state_ = connection_state::reconnecting;
    reconnect_at_ = now + backoff_.next_delay_ms();
    changed();
}

bool chat_model::send_frame(const client_frame& frame) {
    if (!link_open_) return false;
    switch (link_.send(encode(frame))) {
        case send_status::queued: return true;
        case send_status::not_open: return false;
        case send_status::queue_full:
            // Dropping one frame silently would break "nothing missed"; the next tick
            // reconnects, and pending messages go again with their nonces.
            clogged_ = true;
            return false;
    }
    return false;
}

void chat_model::on_connection(const connection_info& info, unix_ms now) {
    if (welcomed_) return;
    welcomed_ = true;
    link_problem_.clear();
    heartbeat_ms_ = info.heartbeat_ms > 0 ? info.heartbeat_ms : limits::default_heartbeat_ms;
    server_name_ = info.server;
    backoff_.reset();
    if (info.id != path_channel_ && !find_channel(info.id)) {
        // The server joined another channel than asked (it should not): follow it.
        channels_.push_back(channel_state{});
        channels_.back().name = info.id;
        books_.push_back(channel_book{});
        books_.back().name = info.id;
        book(info.id)->pages.expect(page_request{page_kind::join, {}, 0});
    }
    // Joins go before identity: the server handles frames in order, so by the time the
    // name is granted and pending messages are resent, every channel is joined again.
    for (const channel_state& channel : channels_)
        if (channel.name != path_channel_ && channel.name != info.id) send_join(channel.name, now);

    if (info.user) {
        // Opened with an account token: the connection is that account from the start.
        granted_name_ = *info.user;
        wanted_name_ = *info.user;
        role_ = info.role.value_or("user");
        identity_issue_ = identity_problem::none;
        became_ready(now);
    } else if (!wanted_name_.empty()) {
        send_identity(now);
    } else {
        became_ready(now);
    }
    changed();
}

void chat_model::send_identity(unix_ms now) {
    (void)now;
    identity_retry_at_.reset();
    if (!send_frame(client_frame{identity_request{wanted_name_}, std::nullopt})) return;
    identity_in_flight_ = true;
    state_ = connection_state::identifying;
    changed();
}

void chat_model::on_identity(const identity_result& answer, unix_ms now) {
    if (!identity_in_flight_) return;  // an answer to a claim this model no longer makes
    identity_in_flight_ = false;
    if (answer.success) {
        granted_name_ = answer.user.value_or(wanted_name_);
        identity_issue_ = identity_problem::none;
        taken_since_.reset();
        became_ready(now);
        return;
    }
    const std::string reason = answer.reason.value_or("");
    if (reason == "taken") {
        // After a reload the old connection may hold the name for a moment: ask again
        // shortly, and only after the window report it. Never claim a different name.
        if (!taken_since_) taken_since_ = now;
        if (now - *taken_since_ + config_.taken_retry_interval_ms <= config_.taken_retry_window_ms) {
            identity_retry_at_ = now + config_.taken_retry_interval_ms;
            changed();
            return;
        }
        taken_since_.reset();
        identity_issue_ = identity_problem::taken;
        add_error(error_source::server, error_code::name_taken, "the name " + wanted_name_ + " is taken",
                  std::nullopt, now);
    } else if (reason == "invalid") {
        identity_issue_ = identity_problem::invalid;
        add_error(error_source::server, std::nullopt,
                  "\"" + wanted_name_ + "\" is not a valid name: use 1 to 32 letters, digits, '_', '.' or '-'",
                  std::nullopt, now);
    } else if (reason == "already_identified") {
        identity_issue_ = identity_problem::already_identified;
        add_error(error_source::server, std::nullopt, "this connection already has a name", std::nullopt, now);
    } else {
        identity_issue_ = identity_problem::invalid;
        add_error(error_source::server, std::nullopt, "the name was refused: " + reason, std::nullopt, now);
    }
    became_ready(now);  // read-only until the user picks a name
}

void chat_model::became_ready(unix_ms now) {
    state_ = connection_state::ready;
    if (!granted_name_.empty()) {
        // `joined` lists only named connections, and the server tells the others, not us,
        // when our name appears: count ourselves in the channels joined before the name.
        for (channel_state& channel : channels_) {
            if (!channel.joined) continue;
            auto it = std::lower_bound(channel.users.begin(), channel.users.end(), granted_name_);
            if (it != channel.users.end() && *it == granted_name_) continue;
            channel.users.insert(it, granted_name_);
            ++channel.online;
        }
    }
    if (can_post()) flush_pending(now);
    changed();
}

void chat_model::identify(std::string name, unix_ms now) {
    identity_issue_ = identity_problem::none;
    taken_since_.reset();
    identity_retry_at_.reset();
    if (!granted_name_.empty()) {
        if (granted_name_ == name) return;
        // A connection keeps its first name for life: a new name needs a new connection.
        wanted_name_ = std::move(name);
        connect_now(now);
        return;
    }
    wanted_name_ = std::move(name);
    if (welcomed_ && !identity_in_flight_) send_identity(now);
    changed();
}

void chat_model::use_token(std::string token, unix_ms now) {
    const bool had_account = !config_.token.empty();
    config_.token = std::move(token);
    refused_in_a_row_ = 0;
    sign_in_needed_ = false;
    // The account's name is not the guest's to claim: a guest after sign-out is read-only
    // until it picks a name.
    if (had_account && config_.token.empty()) wanted_name_.clear();
    changed();
    if (state_ != connection_state::offline && state_ != connection_state::stopped) connect_now(now);
}

}  // namespace parley::client
