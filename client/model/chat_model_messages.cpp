// chat_model: own posts (pending, offline queue, resend), echoes, edits, deletes, errors.
#include <algorithm>
#include <utility>

#include "model/chat_model.hpp"
#include "model/message_store.hpp"
#include "parley/core/text.hpp"

namespace parley::client {
namespace {

/// The protocol's line break is "\n"; a pasted "\r\n" or lone "\r" would be refused as a
/// control character.
void normalise_line_breaks(std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\r') {
            out += text[i];
        } else if (i + 1 >= text.size() || text[i + 1] != '\n') {
            out += '\n';
        }
    }
    text = std::move(out);
}

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
}

}  // namespace

std::string chat_model::next_nonce() {
    return nonce_prefix_ + '-' + std::to_string(++nonce_counter_);
}

bool chat_model::is_own_nonce(std::string_view nonce) const {
    return nonce.size() > nonce_prefix_.size() && nonce.substr(0, nonce_prefix_.size()) == nonce_prefix_ &&
           nonce[nonce_prefix_.size()] == '-';
}

std::optional<post_result> chat_model::check_text(std::string_view text, unix_ms now) {
    if (is_blank(text)) return post_result::invalid;  // an Enter on an empty input: nothing to say
    const auto points = count_code_points(text);
    if (!points) {
        add_error(error_source::client, error_code::invalid_message, "the text is not valid UTF-8", std::nullopt, now);
        return post_result::invalid;
    }
    if (*points > limits::max_text_code_points) {
        add_error(error_source::client, error_code::too_long,
                  "the message has " + std::to_string(*points) + " characters; the limit is " +
                      std::to_string(limits::max_text_code_points),
                  std::nullopt, now);
        return post_result::too_long;
    }
    if (!is_acceptable_text(text)) {
        add_error(error_source::client, error_code::invalid_message, "the text contains control characters",
                  std::nullopt, now);
        return post_result::invalid;
    }
    return std::nullopt;
}

post_result chat_model::post_message(std::string text, unix_ms now) {
    return post_message(std::string(active_), std::move(text), now);
}

post_result chat_model::post_message(const std::string& channel, std::string text, unix_ms now) {
    channel_state* state = channel_mut(channel);
    channel_book* entry = book(channel);
    if (!state || !entry || entry->leaving) {
        add_error(error_source::client, error_code::not_in_channel, "not in #" + channel, std::nullopt, now);
        return post_result::no_channel;
    }
    normalise_line_breaks(text);
    if (auto refused = check_text(text, now)) return *refused;
    std::size_t waiting = silent_resends_.size();
    for (const channel_state& c : channels_) waiting += c.pending.size();
    if (waiting >= config_.max_pending_messages) {
        add_error(error_source::client, std::nullopt, "too many messages are waiting to be sent", std::nullopt, now);
        return post_result::queue_full;
    }
    pending_message message;
    message.nonce = next_nonce();
    message.channel = channel;
    message.text = std::move(text);
    message.created_ms = now;
    state->pending.push_back(std::move(message));
    changed();
    if (can_post() && send_pending(state->pending.back())) return post_result::sent;
    return post_result::queued;
}

bool chat_model::send_pending(pending_message& message) {
    client_frame frame{parley::post_message{message.channel, message.text}, message.nonce};
    if (!send_frame(frame)) return false;
    message.status = pending_message::state::sent;
    return true;
}

void chat_model::flush_pending(unix_ms now) {
    (void)now;
    for (pending_message& message : silent_resends_) send_frame(client_frame{parley::post_message{message.channel, message.text}, message.nonce});
    silent_resends_.clear();
    for (channel_state& channel : channels_) {
        if (book(channel.name)->leaving) continue;
        for (pending_message& message : channel.pending) {
            if (message.status != pending_message::state::queued) continue;
            if (!send_pending(message)) return;  // the link is gone; the next connection resends
        }
    }
    changed();
}

bool chat_model::retry_message(std::string_view nonce, unix_ms now) {
    (void)now;
    for (channel_state& channel : channels_) {
        for (pending_message& message : channel.pending) {
            if (message.nonce != nonce || message.status != pending_message::state::failed) continue;
            message.status = pending_message::state::queued;
            message.failure.clear();
            if (can_post()) send_pending(message);
            changed();
            return true;
        }
    }
    return false;
}

bool chat_model::discard_message(std::string_view nonce) {
    for (channel_state& channel : channels_) {
        auto& pending = channel.pending;
        auto it = std::find_if(pending.begin(), pending.end(), [&](const pending_message& p) { return p.nonce == nonce; });
        // A sent one may be stored already: its echo will show it, so it cannot be taken back.
        if (it == pending.end() || it->status == pending_message::state::sent) continue;
        pending.erase(it);
        changed();
        return true;
    }
    return false;
}

void chat_model::on_message(const chat_message& message, unix_ms now) {
    (void)now;
    channel_state* state = channel_mut(message.channel);
    if (!state) return;
    const bool mine = message.nonce && is_own_nonce(*message.nonce);
    if (mine) {
        // The echo is the delivery receipt: it replaces the pending copy.
        auto& pending = state->pending;
        pending.erase(std::remove_if(pending.begin(), pending.end(),
                                     [&](const pending_message& p) { return p.nonce == *message.nonce; }),
                      pending.end());
    }
    auto& typing = state->typing;
    typing.erase(std::remove_if(typing.begin(), typing.end(), [&](const typing_entry& t) { return t.user == message.user; }),
                 typing.end());
    if (message_entry* known = find_message(state->messages, message.id)) {
        // Seen already (a resend answered with the stored message, or a page raced it).
        if (mine) known->mine = true;
        changed();
        return;
    }
    fill_gap_before(*state, message);
    std::vector<message_entry> one;
    one.push_back(to_entry(message, mine));
    insert_messages(state->messages, std::move(one));
    const bool from_me = mine || (!granted_name_.empty() && same_name(message.user, granted_name_));
    if (!from_me && message.channel != active_) ++state->unread;
    if (trim_oldest(state->messages, config_.max_messages_per_channel) > 0) state->has_more_before = true;
    changed();
}

post_result chat_model::edit_message(message_id id, std::string text, unix_ms now) {
    normalise_line_breaks(text);
    if (auto refused = check_text(text, now)) return *refused;
    if (!can_post()) {
        add_error(error_source::client, std::nullopt, "not connected: the edit was not sent", std::nullopt, now);
        return post_result::not_connected;
    }
    const std::string nonce = next_nonce();  // so that an error names this request
    if (!send_frame(client_frame{edit_request{id, std::move(text)}, nonce})) return post_result::not_connected;
    return post_result::sent;
}

bool chat_model::delete_message(message_id id, unix_ms now) {
    if (!can_post()) {
        add_error(error_source::client, std::nullopt, "not connected: the message was not deleted", std::nullopt, now);
        return false;
    }
    return send_frame(client_frame{delete_request{id}, next_nonce()});
}

void chat_model::on_edited(const edited_notice& notice) {
    for (channel_state& channel : channels_) {
        if (!notice.channel.empty() && channel.name != notice.channel) continue;
        if (message_entry* entry = find_message(channel.messages, notice.id)) {
            entry->text = notice.text;
            entry->edited_at = notice.edited_at;
            changed();
            return;
        }
    }
}

void chat_model::on_deleted(const deleted_notice& notice) {
    for (channel_state& channel : channels_) {
        if (!notice.channel.empty() && channel.name != notice.channel) continue;
        if (erase_message(channel.messages, notice.id)) {
            changed();
            return;
        }
    }
}

void chat_model::on_error(const error_notice& notice, unix_ms now) {
    if (!request_refused(notice) && notice.ref) {
        for (channel_state& channel : channels_) {
            for (pending_message& message : channel.pending) {
                if (message.nonce != *notice.ref) continue;
                message.status = pending_message::state::failed;
                message.failure = notice.message.empty() ? std::string(to_string(notice.code)) : notice.message;
            }
        }
    }
    add_error(error_source::server, notice.code, notice.message.empty() ? std::string(to_string(notice.code)) : notice.message,
              notice.ref, now);
}

}  // namespace parley::client
