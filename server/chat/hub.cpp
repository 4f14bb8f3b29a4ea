#include "chat/hub.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "log/log.hpp"
#include "chat/clock.hpp"
#include "chat/history_budget.hpp"
#include "parley/core/codec.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "ws/frame.hpp"

namespace parley::server::chat {

namespace net = boost::asio;

namespace {

/// Frames a connection may send while its join is pending before they are handled at once
/// (and likely refused): more than a burst of the rate limit, far less than a flood.
constexpr std::size_t max_deferred_frames = 64;

/// How often the names of channels with history are read again: retention may have
/// emptied some; a minute late in counting them is harmless.
constexpr std::chrono::seconds stored_channels_reload{60};

bool has_channel(const connection::hub_state& state, const std::string& channel) {
    return std::find(state.channels.begin(), state.channels.end(), channel) != state.channels.end();
}

}  // namespace

hub::hub(net::any_io_executor executor, message_store& store, message_bus& bus, directory& names,
         server_metrics& metrics, hub_options options)
    : strand_(net::make_strand(std::move(executor))),
      store_(store),
      bus_(bus),
      names_(names),
      metrics_(metrics),
      options_(std::move(options)),
      reload_timer_(strand_),
      presence_timer_(strand_) {
    bus_.subscribe([this](const channel_event& event) {
        // The local bus calls back on the strand, inline; a remote one from its own thread.
        if (strand_.running_in_this_thread()) deliver(event);
        else on_strand([this, event] { deliver(event); });
    });
    load_stored_channels();
}

template <class F>
void hub::run_guarded(F&& f) {
    // The one catch at the hub's edge: a handler that throws (an allocation that fails, a
    // bug) is logged and the strand goes on; nothing escapes into the event loop.
    try {
        f();
    } catch (const std::exception& e) {
        log_error(std::string("hub: a handler failed: ") + e.what());
    } catch (...) {
        log_error("hub: a handler failed");
    }
    flush_dirty();
}

template <class F>
void hub::on_strand(F&& f) {
    net::post(strand_, [this, f = std::forward<F>(f)]() mutable { run_guarded(f); });
}

void hub::push(const conn_ptr& c, shared_frame frame) {
    if (c->enqueue(std::move(frame)) == send_outcome::flush_needed) dirty_.push_back(c);
}

void hub::flush_dirty() {
    for (const auto& c : dirty_) c->flush();
    dirty_.clear();
}

void hub::from_store(std::function<void()> work) {
    bool post_drain = false;
    {
        std::lock_guard lock(completed_mutex_);
        completed_.push_back(std::move(work));
        post_drain = !std::exchange(drain_posted_, true);
    }
    if (post_drain) on_strand([this] { drain_store_completions(); });
}

void hub::drain_store_completions() {
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard lock(completed_mutex_);
        batch.swap(completed_);
        drain_posted_ = false;
    }
    for (auto& work : batch) work();
}

// ------------------------------------------------------------------ entry points

void hub::open(std::shared_ptr<connection> c, std::optional<verified_account> account, std::string channel,
               std::optional<message_id> since) {
    on_strand([this, c = std::move(c), account = std::move(account), channel = std::move(channel), since] {
        connections_.emplace(c.get(), c);
        if (account) {
            auto& s = c->state();
            s.name = account->name;
            s.folded = fold_name(account->name);
            s.account = account->name;
            s.account_id = account->id;
            s.admin = account->admin;
            c->mark_named();
        }
        connection_info info;
        info.id = channel;
        info.session = c->session_id();
        info.server = options_.server_name;
        info.heartbeat_ms = options_.heartbeat_ms;
        auto& state = c->state();
        if (state.name) {  // opened with a token: its account from the start
            info.user = state.name;
            info.role = state.admin ? "admin" : "user";
        }
        c->send(make_frame(info));
        on_join(c, channel, since, std::nullopt);
    });
}

void hub::handle(std::shared_ptr<connection> c, client_frame frame) {
    on_strand([this, c = std::move(c), frame = std::move(frame)]() mutable {
        auto& state = c->state();
        if (!state.open) return;
        // Frames sent right behind the upgrade (bots, `wscat -x`) must see the path join as
        // done: they wait until the join's history read has come back. The session's rate
        // limit bounds how many can pile up.
        if (state.pending_joins > 0 && state.deferred.size() < max_deferred_frames) {
            state.deferred.push_back(std::move(frame));
            return;
        }
        dispatch(c, std::move(frame));
    });
}

void hub::dispatch(const conn_ptr& c, client_frame frame) {
    const auto& ref = frame.nonce;
    std::visit(
        [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, identity_request>) on_identity(c, m);
            else if constexpr (std::is_same_v<T, post_message>) on_post(c, std::move(m), frame.nonce);
            else if constexpr (std::is_same_v<T, join_request>) on_join(c, m.channel, m.since, ref);
            else if constexpr (std::is_same_v<T, leave_request>) on_leave(c, m.channel, ref);
            else if constexpr (std::is_same_v<T, channels_request>) on_channels(c, m);
            else if constexpr (std::is_same_v<T, history_request>) on_history(c, m, ref);
            else if constexpr (std::is_same_v<T, typing_request>) on_typing(c, m, ref);
            else if constexpr (std::is_same_v<T, edit_request>) on_edit(c, std::move(m), ref);
            else if constexpr (std::is_same_v<T, delete_request>) on_delete(c, m, ref);
            else if constexpr (std::is_same_v<T, kick_request>) on_kick(c, m, ref);
            else if constexpr (std::is_same_v<T, ban_request>) on_ban(c, m, ref);
            else if constexpr (std::is_same_v<T, heartbeat_reply>) {
                // Answered by the session; nothing for the hub to do.
            }
        },
        frame.message);
}

void hub::replay_deferred(const conn_ptr& c) {
    auto& state = c->state();
    // A replayed frame may start another join, which defers the rest again.
    while (state.pending_joins == 0 && !state.deferred.empty() && state.open) {
        auto frames = std::move(state.deferred);
        state.deferred.clear();
        std::size_t i = 0;
        for (; i < frames.size() && state.pending_joins == 0; ++i) dispatch(c, std::move(frames[i]));
        for (; i < frames.size(); ++i) state.deferred.push_back(std::move(frames[i]));
    }
}

void hub::closed(std::shared_ptr<connection> c) {
    on_strand([this, c = std::move(c)] { on_closed(c); });
}

void hub::close_all(std::uint16_t code, std::string reason) {
    on_strand([this, code, reason = std::move(reason)] {
        for (auto& [raw, weak] : connections_)
            if (auto c = weak.lock()) c->close(code, reason);
    });
}

void hub::send_error(connection& c, server_metrics& metrics, error_code code, std::string message,
                     std::optional<std::string> ref) {
    // The 21st malformed frame within the window is not answered: it closes the connection.
    if (counts_toward_error_budget(code) && !c.charge_protocol_error()) return;
    metrics.count_error(code);
    c.send(make_frame(error_notice{code, std::move(message), std::move(ref)}));
}

void hub::error(const conn_ptr& c, error_code code, std::string message, const std::optional<std::string>& ref) {
    send_error(*c, metrics_, code, std::move(message), ref);
}

// ------------------------------------------------------------------ channels

void hub::on_join(const conn_ptr& c, const std::string& channel, std::optional<message_id> since,
                  const std::optional<std::string>& ref) {
    const auto& state = c->state();
    if (state.name && name_conflicts(*c, channel, state.folded)) {
        error(c, error_code::name_taken, "another connection in #" + channel + " holds the name " + *state.name,
              ref);
        return;
    }
    if (!has_channel(state, channel)) {
        const auto in = static_cast<int>(state.channels.size()) + state.pending_joins;
        if (in >= options_.max_channels_per_connection)
            return error(c, error_code::forbidden,
                         "a connection may be in at most " + std::to_string(options_.max_channels_per_connection) +
                             " channels: leave one first",
                         ref);
        if (!may_create_channel(c, channel, ref)) return;
    }
    // The member enters the room only when the history read's answer comes back through
    // the strand. The store runs operations in order, so every message committed before
    // the read is in the history (and its broadcast reached the strand before the member
    // entered), and every later one is broadcast to it: no gap and nothing twice.
    ++c->state().pending_joins;
    auto query = since ? history_query::after(channel, *since, limits::resume_history_messages)
                       : history_query::latest(channel, limits::join_history_messages);
    const auto direction = query.direction;
    store_.history(std::move(query), [this, c, channel, direction](history_result result) {
        from_store([this, c, channel, direction, result = std::move(result)]() mutable {
            on_joined(c, channel, direction, std::move(result));
        });
    });
}

void hub::on_joined(const conn_ptr& c, const std::string& channel, history_direction direction,
                    history_result history) {
    auto& state = c->state();
    if (!state.open) return;
    --state.pending_joins;
    finish_join(c, channel, direction, std::move(history));
    replay_deferred(c);
}

void hub::finish_join(const conn_ptr& c, const std::string& channel, history_direction direction,
                      history_result history) {
    auto& state = c->state();
    if (!history.ok()) {
        error(c, error_code::server_error, "could not read the history of #" + channel, std::nullopt);
        return;
    }
    // Someone may have taken the name in this channel while the history was read.
    if (state.name && !has_channel(state, channel) && name_conflicts(*c, channel, state.folded)) {
        error(c, error_code::name_taken, "another connection in #" + channel + " holds the name " + *state.name,
              std::nullopt);
        return;
    }
    // Checked again: other joins may have created channels while the history was read.
    if (!has_channel(state, channel) && !may_create_channel(c, channel, std::nullopt)) return;
    enter_room(c, channel);
    const room& r = rooms_[channel];
    joined_notice joined{channel, {}, std::nullopt};
    for (const auto& [folded, entry] : r.names) joined.users.push_back(entry.display);
    const auto listed = static_cast<std::size_t>(options_.presence_names_up_to);
    if (joined.users.size() > listed) {
        // A big channel: the first names in order and the count, not a frame of every name.
        std::partial_sort(joined.users.begin(), joined.users.begin() + static_cast<std::ptrdiff_t>(listed),
                          joined.users.end());
        joined.users.resize(listed);
        joined.online = r.online();
    } else {
        std::sort(joined.users.begin(), joined.users.end());
    }
    c->send(make_frame(joined));
    c->send(make_frame(fit_history_page(channel, std::move(history), direction, options_.max_reply_bytes)));
}

void hub::on_leave(const conn_ptr& c, const std::string& channel, const std::optional<std::string>& ref) {
    if (!has_channel(c->state(), channel)) {
        error(c, error_code::not_in_channel, "not in #" + channel, ref);
        return;
    }
    leave_room(*c, channel);
    c->send(make_frame(left_notice{channel, std::nullopt}));
}

void hub::on_channels(const conn_ptr& c, const channels_request& request) {
    // Answered from memory: the channels with history (stored_channels_) and those with
    // someone in them, by name, one page after `after`. A page of 200 names of at most 32
    // bytes stays near 10 KB however many channels exist.
    std::vector<std::string> live;
    for (const auto& [name, r] : rooms_)
        if (!stored_channels_.contains(name) && (!request.after || name > *request.after)) live.push_back(name);
    std::sort(live.begin(), live.end());
    auto stored = request.after ? stored_channels_.upper_bound(*request.after) : stored_channels_.begin();
    auto next_live = live.begin();
    channel_list list;
    const auto limit = static_cast<std::size_t>(std::max(1, request.limit));
    while (list.channels.size() < limit && (stored != stored_channels_.end() || next_live != live.end())) {
        const bool take_stored = next_live == live.end() || (stored != stored_channels_.end() && *stored < *next_live);
        const std::string& name = take_stored ? *stored++ : *next_live++;
        auto it = rooms_.find(name);
        list.channels.push_back({name, it == rooms_.end() ? 0 : it->second.online()});
    }
    list.has_more = stored != stored_channels_.end() || next_live != live.end();
    c->send(make_frame(list));
}

void hub::on_history(const conn_ptr& c, const history_request& request, const std::optional<std::string>& ref) {
    auto channel = resolve_channel(c, request.channel, ref);
    if (!channel) return;
    history_query query = request.before ? history_query::before(*channel, *request.before, request.limit)
                          : request.after ? history_query::after(*channel, *request.after, request.limit)
                                          : history_query::latest(*channel, request.limit);
    const auto direction = query.direction;
    store_.history(std::move(query), [this, c, channel = *channel, ref, direction](history_result result) {
        from_store([this, c, channel, ref, direction, result = std::move(result)]() mutable {
            if (!result.ok()) {
                error(c, error_code::server_error, "could not read the history of #" + channel, ref);
                return;
            }
            c->send(make_frame(fit_history_page(channel, std::move(result), direction, options_.max_reply_bytes)));
        });
    });
}

// ------------------------------------------------------------------ identity

void hub::on_identity(const conn_ptr& c, const identity_request& request) {
    auto& state = c->state();
    auto refuse = [&](const char* reason) { c->send(make_frame(identity_result{false, std::nullopt, reason})); };
    if (state.name) return refuse("already_identified");
    if (!is_valid_user_name(request.user)) return refuse("invalid");
    const std::string folded = fold_name(request.user);
    if (options_.accounts_only) return refuse("accounts_only");
    // An account's name is reserved for it, online or not.
    if (names_.is_account_name(folded)) return refuse("taken");
    for (const auto& channel : state.channels)
        if (name_conflicts(*c, channel, folded)) return refuse("taken");
    if (names_.is_banned(folded, c->address())) return refuse("banned");

    state.name = request.user;
    state.folded = folded;
    c->mark_named();
    count_guest(*c, +1);
    c->send(make_frame(identity_result{true, request.user, std::nullopt}));
    for (const auto& channel : state.channels) {
        auto& r = rooms_[channel];
        auto& entry = r.names[folded];
        if (entry.connections++ == 0) {
            entry.display = request.user;
            send_presence(channel, request.user, presence_notice::change::joined, c.get());
        }
    }
}

bool hub::name_conflicts(const connection& c, const std::string& channel, const std::string& folded) const {
    auto r = rooms_.find(channel);
    if (r == rooms_.end()) return false;
    auto entry = r->second.names.find(folded);
    if (entry == r->second.names.end()) return false;
    // One account may be online on several connections; a guest name belongs to one.
    const auto& state = c.state();
    if (state.account && entry->second.is_account) return false;
    // The connection's own entry (it is already in the channel) is no conflict.
    if (r->second.has_member(&c) && entry->second.connections == 1 && state.folded == folded) return false;
    return true;
}

// ------------------------------------------------------------------ messages

void hub::on_post(const conn_ptr& c, post_message message, std::optional<std::string> nonce) {
    const auto& state = c->state();
    if (!state.name) return error(c, error_code::not_identified, "identify before posting", nonce);
    auto channel = resolve_channel(c, message.channel, nonce);
    if (!channel) return;

    new_message stored;
    stored.channel = std::move(*channel);
    stored.user = *state.name;
    stored.text = std::move(message.text);
    stored.timestamp = unix_now_ms();
    stored.owner = state.account_id ? "a:" + std::to_string(*state.account_id) : "g:" + c->session_id();
    stored.nonce = nonce;
    stored.resend_scope = state.account_id ? "a:" + std::to_string(*state.account_id) : "g:" + state.folded;
    // The broadcast waits for the commit: the echo is the delivery receipt.
    store_.post(std::move(stored), [this, c, nonce = std::move(nonce)](post_result result) mutable {
        from_store([this, c = std::move(c), nonce = std::move(nonce), result = std::move(result)]() mutable {
            on_posted(c, std::move(result), nonce);
        });
    });
}

void hub::on_posted(const conn_ptr& sender, post_result result, const std::optional<std::string>& nonce) {
    switch (result.outcome) {
        case store_outcome::failed:
        case store_outcome::not_found:  // not a post's outcome
        case store_outcome::forbidden:
            error(sender, error_code::server_error, "the message could not be stored", nonce);
            return;
        case store_outcome::duplicate: {
            // A resend: the stored message goes back to the sender alone.
            chat_message echo = std::move(result.message);
            echo.nonce = nonce;
            sender->send(make_frame(echo));
            if (result.deleted) sender->send(make_frame(deleted_notice{echo.id, echo.channel}));
            return;
        }
        case store_outcome::ok:
            break;
    }
    // The echo (with the nonce) is the sender's receipt; everyone else, on every instance,
    // gets the message through the bus.
    chat_message& message = result.message;
    on_channel_stored(message.channel);
    std::string plain = encode(server_message{message});
    message.nonce = nonce;
    push(sender, nonce ? make_frame(message) : make_text_frame(plain));
    bus_.publish(channel_event{message.channel, std::move(plain), sender->session_id(), {}});
}

void hub::on_typing(const conn_ptr& c, const typing_request& request, const std::optional<std::string>& ref) {
    const auto& state = c->state();
    if (!state.name) return error(c, error_code::not_identified, "identify before typing", ref);
    auto channel = resolve_channel(c, request.channel, ref);
    if (!channel) return;
    auto& entry = rooms_[*channel].names[state.folded];
    const auto now = steady_now_ms();
    if (entry.last_typing_ms != 0 && now - entry.last_typing_ms < limits::typing_relay_interval_ms) return;
    entry.last_typing_ms = now;
    // Not to the sender, nor to the sender's other connections (same name).
    bus_.publish(channel_event{*channel, encode(server_message{typing_notice{*channel, *state.name}}), {}, state.folded});
}

void hub::on_edit(const conn_ptr& c, edit_request request, const std::optional<std::string>& ref) {
    message_change change{
        message_change::kind::edit, request.id, std::move(request.text), {}, false, unix_now_ms()};
    on_change(c, std::move(change), ref);
}

void hub::on_delete(const conn_ptr& c, const delete_request& request, const std::optional<std::string>& ref) {
    on_change(c, message_change{message_change::kind::remove, request.id, {}, {}, false, 0}, ref);
}

void hub::on_change(const conn_ptr& c, message_change change, const std::optional<std::string>& ref) {
    const auto& state = c->state();
    if (!state.name)
        return error(c, error_code::not_identified,
                     change.what == message_change::kind::edit ? "identify before editing"
                                                               : "identify before deleting",
                     ref);
    change.requester = state.account_id ? "a:" + std::to_string(*state.account_id) : "g:" + c->session_id();
    change.is_admin = state.admin;
    store_.change(std::move(change), [this, c, ref](change_result result) {
        from_store([this, c, ref, result = std::move(result)] {
            const bool edit = result.what == message_change::kind::edit;
            switch (result.outcome) {
                case store_outcome::ok:
                    if (c->state().admin)
                        names_.record({*c->state().name,
                                       edit ? "edit" : "delete",
                                       std::to_string(result.id),
                                       result.channel,
                                       {},
                                       c->address()});
                    return publish_change(result.notice(), result.channel, c);
                case store_outcome::not_found:
                    return error(c, error_code::not_found, "no such message", ref);
                case store_outcome::forbidden:
                    names_.record({*c->state().name,
                                   edit ? "refused_edit" : "refused_delete",
                                   std::to_string(result.id),
                                   result.channel,
                                   {},
                                   c->address()});
                    return error(c, error_code::forbidden,
                                 edit ? "only the author or an admin may edit"
                                      : "only the author or an admin may delete",
                                 ref);
                case store_outcome::duplicate:  // not a change's outcome
                case store_outcome::failed:
                    return error(c, error_code::server_error,
                                 edit ? "the edit could not be stored" : "the deletion could not be stored",
                                 ref);
            }
        });
    });
}

void hub::on_kick(const conn_ptr& c, const kick_request& request, const std::optional<std::string>& ref) {
    if (!c->state().admin) {
        names_.record({c->state().name.value_or(""), "refused_kick", request.user, request.channel, {}, c->address()});
        return error(c, error_code::forbidden, "only admins may kick", ref);
    }
    auto r = rooms_.find(request.channel);
    const std::string folded = fold_name(request.user);
    if (r == rooms_.end() || !r->second.names.contains(folded))
        return error(c, error_code::not_found, request.user + " is not in #" + request.channel, ref);
    std::vector<conn_ptr> targets;
    for (const auto& m : r->second.members)
        if (auto peer = m.weak.lock(); peer && peer->state().folded == folded) targets.push_back(peer);
    for (const auto& target : targets) {
        leave_room(*target, request.channel);
        target->send(make_frame(left_notice{request.channel, "kicked"}));
    }
    names_.record({*c->state().name, "kick", request.user, request.channel, {}, c->address()});
}

void hub::on_closed(const conn_ptr& c) {
    auto& state = c->state();
    if (!state.open) return;
    state.open = false;
    const auto channels = state.channels;
    for (const auto& channel : channels) leave_room(*c, channel);
    connections_.erase(c.get());
    if (state.name) count_guest(*c, -1);
}

void hub::count_guest(const connection& c, int delta) {
    if (c.state().account) return;
    std::lock_guard lock(guests_mutex_);
    auto& n = guests_[c.state().folded];
    if ((n += delta) <= 0) guests_.erase(c.state().folded);
}

bool hub::guest_online(std::string_view folded) const {
    std::lock_guard lock(guests_mutex_);
    return guests_.contains(std::string(folded));
}

void hub::on_ban(const conn_ptr& c, const ban_request& request, const std::optional<std::string>& ref) {
    if (!c->state().admin) {
        names_.record({c->state().name.value_or(""), "refused_ban", request.user, {}, {}, c->address()});
        return error(c, error_code::forbidden, "only admins may ban", ref);
    }
    const std::string folded = fold_name(request.user);
    // Every connection holding the name, in any channel, goes; their addresses are banned too.
    std::vector<std::string> addresses;
    std::vector<conn_ptr> targets;
    for (auto& [raw, weak] : connections_) {
        auto peer = weak.lock();
        if (!peer || peer->state().folded != folded || peer.get() == c.get()) continue;
        targets.push_back(peer);
        if (!peer->address().empty() &&
            std::find(addresses.begin(), addresses.end(), peer->address()) == addresses.end())
            addresses.push_back(peer->address());
    }
    const auto until = unix_now_ms() + request.minutes * 60'000;
    names_.record_ban(*c->state().name, folded, addresses, until);
    names_.record(
        {*c->state().name, "ban", request.user, {}, std::to_string(request.minutes) + " minutes", c->address()});
    for (const auto& target : targets) target->close(ws::close_code::policy_violation, "banned");
}

// ------------------------------------------------------------------ how many channels exist

bool hub::may_create_channel(const conn_ptr& c, const std::string& channel, const std::optional<std::string>& ref) {
    if (rooms_.contains(channel) || stored_channels_.contains(channel)) return true;
    const auto existing = static_cast<int>(stored_channels_.size()) + live_unstored_channels_;
    if (existing < options_.max_channels) return true;
    error(c, error_code::forbidden,
          "the server has " + std::to_string(options_.max_channels) + " channels, its limit: join an existing one",
          ref);
    return false;
}

void hub::load_stored_channels() {
    store_.channels([this](channels_result stored) {
        if (!stored.ok()) return log_warn("hub: could not read the channel names: " + stored.error);
        from_store([this, names = std::move(stored.names)] {
            stored_channels_ = std::set<std::string>(names.begin(), names.end());
            live_unstored_channels_ = 0;
            for (const auto& [name, r] : rooms_)
                if (!stored_channels_.contains(name)) ++live_unstored_channels_;
            reload_timer_.expires_after(stored_channels_reload);
            reload_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec) run_guarded([this] { load_stored_channels(); });
            });
        });
    });
}

void hub::on_room_created(const std::string& channel) {
    metrics_.channels_active.fetch_add(1, std::memory_order_relaxed);
    if (!stored_channels_.contains(channel)) ++live_unstored_channels_;
}

void hub::on_room_erased(const std::string& channel) {
    metrics_.channels_active.fetch_sub(1, std::memory_order_relaxed);
    if (!stored_channels_.contains(channel)) --live_unstored_channels_;
}

void hub::on_channel_stored(const std::string& channel) {
    if (!stored_channels_.insert(channel).second) return;
    if (rooms_.contains(channel)) --live_unstored_channels_;
}

// ------------------------------------------------------------------ rooms

std::optional<std::string> hub::resolve_channel(const conn_ptr& c, const std::optional<std::string>& channel,
                                                const std::optional<std::string>& ref) {
    const auto& joined = c->state().channels;
    if (channel) {
        if (has_channel(c->state(), *channel)) return channel;
        error(c, error_code::not_in_channel, "not in #" + *channel, ref);
        return std::nullopt;
    }
    if (joined.size() == 1) return joined.front();
    if (joined.empty()) error(c, error_code::not_in_channel, "not in any channel", ref);
    else error(c, error_code::invalid_message, "'channel' is required when in several channels", ref);
    return std::nullopt;
}

void hub::enter_room(const conn_ptr& c, const std::string& channel) {
    auto& state = c->state();
    if (has_channel(state, channel)) return;  // a repeated join only resends joined + history
    auto [it, created] = rooms_.try_emplace(channel);
    if (created) on_room_created(channel);
    room& r = it->second;
    r.members.push_back({c, c.get()});
    state.channels.push_back(channel);
    if (!state.name) return;
    auto& entry = r.names[state.folded];
    if (entry.connections++ == 0) {
        entry.display = *state.name;
        entry.is_account = state.account.has_value();
        send_presence(channel, *state.name, presence_notice::change::joined, c.get());
    }
}

void hub::leave_room(connection& c, const std::string& channel) {
    auto& state = c.state();
    std::erase(state.channels, channel);
    auto it = rooms_.find(channel);
    if (it == rooms_.end()) return;
    room& r = it->second;
    std::erase_if(r.members, [&](const room::member& m) { return m.raw == &c; });
    if (state.name) {
        auto entry = r.names.find(state.folded);
        if (entry != r.names.end() && --entry->second.connections <= 0) {
            const std::string display = entry->second.display;
            r.names.erase(entry);
            send_presence(channel, display, presence_notice::change::left, &c);
        }
    }
    if (r.members.empty()) {
        rooms_.erase(it);
        on_room_erased(channel);
    }
}

void hub::broadcast(const std::string& channel, const shared_frame& frame, const connection* skip) {
    auto it = rooms_.find(channel);
    if (it == rooms_.end()) return;
    for (const auto& m : it->second.members) {
        if (m.raw == skip) continue;
        if (auto peer = m.weak.lock()) push(peer, frame);
    }
}

void hub::publish_change(const server_message& notice, const std::string& channel, const conn_ptr& requester) {
    std::string payload = encode(notice);
    if (!has_channel(requester->state(), channel) && requester->state().open) requester->send(make_text_frame(payload));
    bus_.publish(channel_event{channel, std::move(payload), {}, {}});
}

void hub::deliver(const channel_event& event) {
    auto it = rooms_.find(event.channel);
    if (it == rooms_.end()) return;
    // Serialised once, shared by every recipient.
    const shared_frame frame = make_text_frame(event.payload);
    for (const auto& m : it->second.members) {
        auto peer = m.weak.lock();
        if (!peer) continue;
        if (!event.skip_session.empty() && peer->session_id() == event.skip_session) continue;
        if (!event.skip_user.empty() && peer->state().folded == event.skip_user) continue;
        push(peer, frame);
    }
}

void hub::send_presence(const std::string& channel, const std::string& display, presence_notice::change state,
                        const connection* skip) {
    auto it = rooms_.find(channel);
    if (it == rooms_.end()) return;  // the last one left: nobody to tell
    room& r = it->second;
    if (r.online() > options_.presence_names_up_to) return count_changed(channel, r);
    broadcast(channel, make_frame(presence_notice{channel, display, state, r.online()}), skip);
}

void hub::count_changed(const std::string& channel, room& r) {
    if (!r.count_changed) {
        r.count_changed = true;
        counts_changed_.push_back(channel);
    }
    arm_presence_timer();
}

void hub::arm_presence_timer() {
    if (presence_timer_armed_) return;
    presence_timer_armed_ = true;
    presence_timer_.expires_after(options_.online_count_interval);
    presence_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        run_guarded([this] {
            presence_timer_armed_ = false;
            send_online_counts();
        });
    });
}

void hub::send_online_counts() {
    const auto now = steady_now_ms();
    const auto step = options_.online_count_interval.count();
    std::vector<std::string> waiting;
    for (auto& channel : counts_changed_) {
        auto it = rooms_.find(channel);
        if (it == rooms_.end()) continue;
        room& r = it->second;
        const int online = r.online();
        const auto per_step = std::max(1, options_.presence_names_up_to);
        const std::int64_t interval = step * ((online + per_step - 1) / per_step);
        if (r.last_count_ms != 0 && now - r.last_count_ms < interval) {
            waiting.push_back(std::move(channel));
            continue;
        }
        r.last_count_ms = now;
        r.count_changed = false;
        broadcast(channel, make_frame(online_notice{channel, online}));
    }
    counts_changed_ = std::move(waiting);
    if (!counts_changed_.empty()) arm_presence_timer();
}

}  // namespace parley::server::chat
