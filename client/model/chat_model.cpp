// chat_model: construction, the event pump, timers and shared helpers. The connection
// lifecycle is in chat_model_link.cpp, channels in chat_model_channels.cpp, messages in
// chat_model_messages.cpp.
#include "model/chat_model.hpp"

#include <algorithm>
#include <cstdio>
#include <type_traits>
#include <utility>
#include <variant>

#include "parley/core/codec.hpp"
#include "parley/core/text.hpp"

namespace parley::client {
namespace {

std::string hex(std::uint64_t value, int digits) {
    std::string out(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = "0123456789abcdef"[value & 0xF];
    return out;
}

}  // namespace

chat_model::chat_model(transport& link, model_config config)
    : link_(link), config_(std::move(config)), backoff_(config_.backoff, config_.seed) {
    if (!is_valid_channel_name(config_.channel)) config_.channel = std::string(default_channel);
    wanted_name_ = config_.user_name;
    // 48 random bits per model: a reloaded page never reuses an earlier page's nonces,
    // which the server would answer with the earlier page's stored message.
    nonce_prefix_ = hex(backoff_.random_bits(), 12);
    channels_.push_back(channel_state{});
    channels_.back().name = config_.channel;
    books_.push_back(channel_book{});
    books_.back().name = config_.channel;
    active_ = config_.channel;
}

void chat_model::start(unix_ms now) {
    if (state_ != connection_state::offline && state_ != connection_state::stopped) return;
    backoff_.reset();
    connect_now(now);
}

void chat_model::stop() {
    if (state_ == connection_state::offline || state_ == connection_state::stopped) return;
    link_.close();
    forget_connection();
    reconnect_at_.reset();
    state_ = connection_state::stopped;
    changed();
}

void chat_model::tick(unix_ms now) {
    for (const transport_event& event : link_.poll()) handle(event, now);

    if (clogged_) {
        clogged_ = false;
        link_lost(now, "the server stopped reading (send queue full)", true);
    }
    switch (state_) {
        case connection_state::reconnecting:
            if (reconnect_at_ && now >= *reconnect_at_) connect_now(now);
            break;
        case connection_state::connecting:
        case connection_state::identifying:
        case connection_state::ready:
            if (!welcomed_) {
                if (now - attempt_started_ >= config_.connect_timeout_ms) link_lost(now, "connection timed out", false);
            } else if (now - last_frame_ >= static_cast<unix_ms>(limits::silent_heartbeats_before_dead) * heartbeat_ms_) {
                // No frame, not even a heartbeat, for three periods: the server or the path
                // to it is gone even though no close arrived.
                link_lost(now, "the server stopped responding", true);
            } else if (identity_retry_at_ && now >= *identity_retry_at_) {
                send_identity(now);
            }
            break;
        case connection_state::offline:
        case connection_state::stopped:
            break;
    }
    expire_typing(now);
}

void chat_model::handle(const transport_event& event, unix_ms now) {
    const bool live = state_ == connection_state::connecting || state_ == connection_state::identifying ||
                      state_ == connection_state::ready;
    if (!live) return;  // nothing of an abandoned connection matters
    switch (event.type) {
        case transport_event::kind::opened:
            link_open_ = true;
            last_frame_ = now;
            refused_in_a_row_ = 0;
            banned_ = false;
            if (sign_in_needed_) {
                sign_in_needed_ = false;
                changed();
            }
            break;
        case transport_event::kind::text:
            if (!link_open_) return;
            last_frame_ = now;
            on_text(event.text, now);
            break;
        case transport_event::kind::error:
            link_problem_ = event.text;
            changed();
            break;
        case transport_event::kind::closed: {
            // Refused before the upgrade, with a token: most likely the token is revoked
            // (HTTP 401), which the browser does not let us see. Twice in a row, so one
            // lost handshake is not mistaken for it; see sign_in_needed().
            // A banned name's or address's upgrades are refused too (HTTP 403, which looks
            // the same from here): that is the ban, not a dead session.
            if (!link_open_ && !config_.token.empty() && !banned_ && ++refused_in_a_row_ >= 2)
                sign_in_needed_ = true;
            std::string why = "closed " + std::to_string(event.code);
            if (!event.text.empty()) why += ": " + event.text;
            // A link that never worked is noise in the error list (the status line says
            // it); losing a working one is worth telling.
            link_lost(now, std::move(why), welcomed_);
            // 1008 (policy violation) "banned": an admin's ban (docs/protocol.md). The
            // model keeps reconnecting with backoff, so it is back when the ban ends.
            if (event.code == 1008 && event.text == "banned") {
                banned_ = true;
                add_error(error_source::server, error_code::forbidden, "you were banned from this server by an admin",
                          std::nullopt, now);
            }
            break;
        }
    }
}

std::optional<unix_ms> chat_model::next_deadline() const {
    std::optional<unix_ms> soonest;
    auto consider = [&soonest](unix_ms t) {
        if (!soonest || t < *soonest) soonest = t;
    };
    switch (state_) {
        case connection_state::reconnecting:
            if (reconnect_at_) consider(*reconnect_at_);
            break;
        case connection_state::connecting:
        case connection_state::identifying:
        case connection_state::ready:
            if (!welcomed_) {
                consider(attempt_started_ + config_.connect_timeout_ms);
            } else {
                consider(last_frame_ + static_cast<unix_ms>(limits::silent_heartbeats_before_dead) * heartbeat_ms_);
                if (identity_retry_at_) consider(*identity_retry_at_);
            }
            break;
        case connection_state::offline:
        case connection_state::stopped:
            break;
    }
    for (const channel_state& channel : channels_)
        for (const typing_entry& entry : channel.typing) consider(entry.until_ms);
    return soonest;
}

std::optional<unix_ms> chat_model::reconnect_at() const {
    return state_ == connection_state::reconnecting ? reconnect_at_ : std::nullopt;
}

const channel_state* chat_model::find_channel(std::string_view name) const {
    for (const channel_state& channel : channels_)
        if (channel.name == name) return &channel;
    return nullptr;
}

channel_state* chat_model::channel_mut(std::string_view name) {
    return const_cast<channel_state*>(std::as_const(*this).find_channel(name));
}

chat_model::channel_book* chat_model::book(std::string_view name) {
    for (channel_book& entry : books_)
        if (entry.name == name) return &entry;
    return nullptr;
}

void chat_model::clear_errors() {
    if (errors_.empty()) return;
    errors_.clear();
    changed();
}

void chat_model::add_error(error_source source, std::optional<error_code> code, std::string message,
                           std::optional<std::string> ref, unix_ms now) {
    errors_.push_back(error_entry{source, code, std::move(message), std::move(ref), now});
    const std::size_t keep = std::max<std::size_t>(config_.max_errors, 1);
    if (errors_.size() > keep) errors_.erase(errors_.begin(), errors_.end() - static_cast<std::ptrdiff_t>(keep));
    changed();
}

void chat_model::on_text(std::string_view text, unix_ms now) {
    auto decoded = decode_server_message(text);
    if (!decoded) {
        // A newer server may say things this client cannot read; show it, keep going.
        add_error(error_source::server, decoded.error().code, "unreadable frame from the server: " + decoded.error().message,
                  std::nullopt, now);
        return;
    }
    std::visit(
        [this, now](const auto& message) {
            using T = std::decay_t<decltype(message)>;
            if constexpr (std::is_same_v<T, connection_info>) on_connection(message, now);
            else if constexpr (std::is_same_v<T, heartbeat_notice>) send_frame(client_frame{heartbeat_reply{}, std::nullopt});
            else if constexpr (std::is_same_v<T, identity_result>) on_identity(message, now);
            else if constexpr (std::is_same_v<T, chat_message>) on_message(message, now);
            else if constexpr (std::is_same_v<T, joined_notice>) on_joined(message, now);
            else if constexpr (std::is_same_v<T, history_page>) on_history(message, now);
            else if constexpr (std::is_same_v<T, channel_list>) on_channel_list(message);
            else if constexpr (std::is_same_v<T, presence_notice>) on_presence(message);
            else if constexpr (std::is_same_v<T, online_notice>) on_online(message);
            else if constexpr (std::is_same_v<T, typing_notice>) on_typing(message, now);
            else if constexpr (std::is_same_v<T, edited_notice>) on_edited(message);
            else if constexpr (std::is_same_v<T, deleted_notice>) on_deleted(message);
            else if constexpr (std::is_same_v<T, left_notice>) on_left(message, now);
            else if constexpr (std::is_same_v<T, error_notice>) on_error(message, now);
        },
        decoded.value());
}

}  // namespace parley::client
