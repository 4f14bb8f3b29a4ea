// chat_model: channels — join, leave, history pages (initial, older, resume), presence, typing.
#include <algorithm>
#include <utility>

#include "model/chat_model.hpp"
#include "model/message_store.hpp"
#include "parley/core/text.hpp"

namespace parley::client {

void chat_model::send_join(const std::string& channel, unix_ms now) {
    (void)now;
    channel_state* state = channel_mut(channel);
    channel_book* entry = book(channel);
    if (!state || !entry) return;
    join_request request{channel, std::nullopt};
    // Resume after the newest message on screen; an empty channel takes the last 50.
    if (!state->messages.empty()) request.since = state->messages.back().id;
    // The nonce lets an `error` (name_taken, forbidden) say that it answers this join.
    std::string nonce = next_nonce();
    if (!send_frame(client_frame{request, nonce})) return;
    state->join_failure.clear();
    entry->pages.expect(page_request{request.since ? page_kind::join_since : page_kind::join, std::move(nonce),
                                     request.since.value_or(0)});
    changed();
}

bool chat_model::send_history(const std::string& channel, channel_book& entry, page_kind kind, message_id anchor) {
    history_request request;
    request.channel = channel;
    if (kind == page_kind::before)
        request.before = anchor;
    else
        request.after = anchor;
    request.limit = config_.history_page;
    std::string nonce = next_nonce();
    if (!send_frame(client_frame{request, nonce})) return false;
    entry.pages.expect(page_request{kind, std::move(nonce), anchor});
    return true;
}

void chat_model::fill_gap_before(channel_state& state, const chat_message& live) {
    if (live.seq <= 0) return;  // a server that sends no positions
    const bool gap = state.newest_seq > 0 && live.seq > state.newest_seq + 1;
    state.newest_seq = std::max(state.newest_seq, live.seq);
    if (!gap || state.resuming) return;  // a resume under way pages over it anyway
    // After the newest message before this one: the page brings the missing ones (and this
    // one again, which is known by then).
    message_id anchor = 0;
    for (const message_entry& m : state.messages)
        if (m.id < live.id) anchor = std::max(anchor, m.id);
    channel_book* entry = book(state.name);
    if (anchor == 0 || entry == nullptr) return;
    state.resuming = send_history(state.name, *entry, page_kind::after, anchor);
}

bool chat_model::join_channel(const std::string& channel, unix_ms now) {
    if (!is_valid_channel_name(channel)) {
        add_error(error_source::client, error_code::no_such_channel,
                  "\"" + channel + "\" is not a channel name: use a-z, 0-9, '_' or '-', up to 32", std::nullopt, now);
        return false;
    }
    if (channel_book* entry = book(channel)) {
        if (!entry->leaving) {
            // Asking again for a channel whose join was refused tries the join again.
            const channel_state* state = find_channel(channel);
            if (welcomed_ && state && !state->join_failure.empty()) send_join(channel, now);
            return set_active_channel(channel);
        }
        // Leaving it still: the `left` answer would drop it, so start over with a fresh entry.
        drop_channel(channel);
    }
    channels_.push_back(channel_state{});
    channels_.back().name = channel;
    books_.push_back(channel_book{});
    books_.back().name = channel;
    active_ = channel;
    if (welcomed_) send_join(channel, now);
    changed();
    return true;
}

bool chat_model::leave_channel(const std::string& channel) {
    channel_book* entry = book(channel);
    if (!entry || entry->leaving) return false;
    const channel_state* state = find_channel(channel);
    // A refused join left nothing on the server to leave (it would answer not_in_channel).
    if (!welcomed_ || (state && !state->join_failure.empty())) {
        drop_channel(channel);
        return true;
    }
    entry->leaving = true;
    entry->leave_nonce = next_nonce();
    if (!send_frame(client_frame{leave_request{channel}, entry->leave_nonce})) drop_channel(channel);
    changed();
    return true;
}

void chat_model::drop_channel(std::string_view name) {
    channels_.erase(std::remove_if(channels_.begin(), channels_.end(),
                                   [name](const channel_state& c) { return c.name == name; }),
                    channels_.end());
    books_.erase(std::remove_if(books_.begin(), books_.end(), [name](const channel_book& b) { return b.name == name; }),
                 books_.end());
    if (active_ == name) active_ = channels_.empty() ? std::string() : channels_.front().name;
    changed();
}

bool chat_model::set_active_channel(const std::string& channel) {
    channel_state* state = channel_mut(channel);
    if (!state) return false;
    active_ = channel;
    state->unread = 0;
    changed();
    return true;
}

bool chat_model::load_older(const std::string& channel) {
    channel_state* state = channel_mut(channel);
    channel_book* entry = book(channel);
    if (!state || !entry || !welcomed_ || !state->joined) return false;
    if (state->loading_older || !state->has_more_before || state->messages.empty()) return false;
    if (!send_history(channel, *entry, page_kind::before, state->messages.front().id)) return false;
    state->loading_older = true;
    changed();
    return true;
}

bool chat_model::request_channels() {
    if (!welcomed_ || !send_frame(client_frame{channels_request{}, std::nullopt})) return false;
    directory_paging_ = false;
    return true;
}

void chat_model::on_channel_list(const channel_list& list) {
    // The first page replaces the list; the pages after it, asked for below, extend it.
    if (!directory_paging_) directory_.clear();
    directory_.insert(directory_.end(), list.channels.begin(), list.channels.end());
    directory_paging_ = false;
    if (list.has_more && !list.channels.empty()) {
        channels_request next;
        next.after = list.channels.back().name;
        directory_paging_ = send_frame(client_frame{next, std::nullopt});
    }
    changed();
}

void chat_model::on_online(const online_notice& notice) {
    channel_state* state = channel_mut(notice.channel);
    if (!state) return;
    state->online = notice.online;
    changed();
}

void chat_model::on_joined(const joined_notice& notice, unix_ms now) {
    (void)now;
    channel_state* state = channel_mut(notice.channel);
    if (!state) return;  // left meanwhile
    state->joined = true;
    state->join_failure.clear();
    state->users = notice.users;
    std::sort(state->users.begin(), state->users.end());
    state->users.erase(std::unique(state->users.begin(), state->users.end()), state->users.end());
    // A big channel lists only some names; its count says how many are online.
    state->online = notice.online.value_or(static_cast<int>(state->users.size()));
    changed();
}

void chat_model::on_history(const history_page& page, unix_ms now) {
    (void)now;
    channel_state* state = channel_mut(page.channel);
    channel_book* entry = book(page.channel);
    if (!state || !entry) return;
    // Matched by channel and direction (page_requests.hpp); an unasked page (a join the
    // server repeated) reads as a join: merged, no harm.
    const page_kind kind = entry->pages.take_answer(page.messages).value_or(page_request{}).kind;
    const bool catching_up = kind == page_kind::join_since || kind == page_kind::after;
    const std::string& me = granted_name_.empty() ? wanted_name_ : granted_name_;

    std::vector<message_entry> fresh;
    int missed = 0;
    for (const chat_message& message : page.messages) {
        if (message_entry* known = find_message(state->messages, message.id)) {
            // History carries the current text: an edit we missed while away.
            known->text = message.text;
            known->edited_at = message.edited_at.value_or(0);
            continue;
        }
        bool mine = message.nonce && is_own_nonce(*message.nonce);
        if (catching_up && !mine && !me.empty() && same_name(message.user, me)) {
            // An own message sent before the link broke, whose echo never came: the
            // resumed history shows it, so its pending copy goes (shown once). It is still
            // resent silently, because only the server can say whether it was this one.
            auto& pending = state->pending;
            auto it = std::find_if(pending.begin(), pending.end(), [&](const pending_message& p) {
                return p.status == pending_message::state::queued && p.text == message.text;
            });
            if (it != pending.end()) {
                silent_resends_.push_back(std::move(*it));
                pending.erase(it);
                mine = true;
            }
        }
        if (catching_up && !mine && !same_name(message.user, me)) ++missed;
        fresh.push_back(to_entry(message, mine));
    }
    insert_messages(state->messages, std::move(fresh));
    if (missed > 0 && page.channel != active_) state->unread += missed;
    // A page going forward is the stream up to its newest message (deleted ones aside, so a
    // live message may come two or more above it: one page asked for nothing).
    if (kind != page_kind::before && !page.messages.empty())
        state->newest_seq = std::max(state->newest_seq, page.messages.back().seq);

    switch (kind) {
        case page_kind::join:
            state->has_more_before = page.has_more;
            break;
        case page_kind::before:
            state->has_more_before = page.has_more;
            state->loading_older = false;
            break;
        case page_kind::join_since:
        case page_kind::after:
            state->resuming = false;
            // Page on from this page's newest message, not the channel's: broadcasts
            // that arrived meanwhile are newer than the gap still to fill.
            if (page.has_more && !page.messages.empty())
                state->resuming = send_history(page.channel, *entry, page_kind::after, page.messages.back().id);
            break;
    }
    if (trim_oldest(state->messages, config_.max_messages_per_channel) > 0) state->has_more_before = true;
    changed();
}

void chat_model::on_presence(const presence_notice& notice) {
    channel_state* state = channel_mut(notice.channel);
    if (!state) return;
    auto& users = state->users;
    auto it = std::lower_bound(users.begin(), users.end(), notice.user);
    const bool present = it != users.end() && *it == notice.user;
    if (notice.state == presence_notice::change::joined) {
        if (!present) users.insert(it, notice.user);
    } else {
        if (present) users.erase(it);
        auto& typing = state->typing;
        typing.erase(std::remove_if(typing.begin(), typing.end(),
                                    [&](const typing_entry& t) { return t.user == notice.user; }),
                     typing.end());
    }
    state->online = notice.online;
    changed();
}

void chat_model::on_typing(const typing_notice& notice, unix_ms now) {
    channel_state* state = channel_mut(notice.channel);
    if (!state || (!granted_name_.empty() && same_name(notice.user, granted_name_))) return;
    const unix_ms until = now + config_.typing_display_ms;
    for (typing_entry& entry : state->typing) {
        if (entry.user == notice.user) {
            entry.until_ms = until;
            changed();
            return;
        }
    }
    state->typing.push_back(typing_entry{notice.user, until});
    changed();
}

void chat_model::expire_typing(unix_ms now) {
    for (channel_state& state : channels_) {
        auto& typing = state.typing;
        const auto end = std::remove_if(typing.begin(), typing.end(), [now](const typing_entry& t) { return t.until_ms <= now; });
        if (end == typing.end()) continue;
        typing.erase(end, typing.end());
        changed();
    }
}

void chat_model::note_typing(unix_ms now) {
    if (!can_post()) return;
    channel_state* state = channel_mut(active_);
    channel_book* entry = book(active_);
    if (!state || !entry || !state->joined) return;
    if (now - entry->last_typing_sent < config_.typing_send_interval_ms) return;
    if (send_frame(client_frame{typing_request{active_}, std::nullopt})) entry->last_typing_sent = now;
}

bool chat_model::request_refused(const error_notice& notice) {
    if (!notice.ref) return false;
    for (channel_book& entry : books_) {
        if (entry.leaving && entry.leave_nonce == *notice.ref) {
            // Not in it (not_in_channel): gone either way.
            drop_channel(std::string(entry.name));
            return true;
        }
        const auto refused = entry.pages.take_ref(*notice.ref);
        if (!refused) continue;
        channel_state* state = channel_mut(entry.name);
        if (!state) return true;
        switch (refused->kind) {
            case page_kind::join:
            case page_kind::join_since:
                // No `joined` or `history` follows: show why instead of "Joining…".
                if (!state->joined)
                    state->join_failure = notice.message.empty() ? std::string(to_string(notice.code)) : notice.message;
                break;
            case page_kind::before:
                state->loading_older = false;  // the next scroll-back asks again
                break;
            case page_kind::after:
                state->resuming = false;
                break;
        }
        changed();
        return true;
    }
    return false;
}

void chat_model::on_left(const left_notice& notice, unix_ms now) {
    channel_book* entry = book(notice.channel);
    if (!entry) return;
    if (notice.reason && *notice.reason == "kicked")
        add_error(error_source::server, error_code::forbidden, "you were removed from #" + notice.channel, std::nullopt, now);
    else if (!entry->leaving)
        add_error(error_source::server, std::nullopt, "you left #" + notice.channel, std::nullopt, now);
    drop_channel(notice.channel);
}

}  // namespace parley::client
