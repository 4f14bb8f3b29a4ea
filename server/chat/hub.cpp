#include "chat/hub.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "log/log.hpp"
#include "log/guarded.hpp"
#include "parley/core/codec.hpp"
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

message_change make_change(message_change::kind what, message_id id, std::string text) {
    message_change change;
    change.what = what;
    change.id = id;
    change.text = std::move(text);
    return change;
}

}  // namespace

void outbox::push_error(const std::shared_ptr<connection>& c, server_metrics& metrics, error_code code,
                        std::string message, std::optional<std::string> ref) {
    // The 21st malformed frame within the window is not answered: it closes the connection.
    if (counts_toward_error_budget(code) && !c->charge_protocol_error()) return;
    metrics.count_error(code);
    push(c, make_frame(error_notice{code, std::move(message), std::move(ref)}));
}

hub::hub(net::any_io_executor executor, message_store& store, message_bus& bus, directory& names,
         server_metrics& metrics, chat::clock& clock, hub_options options)
    : hub(std::vector<net::any_io_executor>{std::move(executor)}, store, bus, names, metrics, clock,
          std::move(options)) {}

hub::hub(std::vector<net::any_io_executor> loops, message_store& store, message_bus& bus, directory& names,
         server_metrics& metrics, chat::clock& clock, hub_options options)
    : executor_(loops.at(0)),
      options_(std::move(options)),
      catalog_(options_.max_channels),
      registry_(),
      ctx_{store, bus, names, metrics, clock, options_, catalog_, registry_, life_} {
    const auto count = std::max<std::size_t>(1, options_.shards);
    for (std::size_t i = 0; i < count; ++i)
        shards_.push_back(std::make_unique<shard>(loops[i % loops.size()], ctx_, static_cast<shard_events&>(*this)));
    bus.subscribe([this](const channel_event& event) {
        // The local bus calls back inline on the publishing shard; a stream from any thread,
        // in position order, and an event may concern another shard's channel. A positioned
        // event is always posted: run inline it could overtake one posted just before it.
        shard& s = shard_for(event.channel);
        if (event.position == 0 && s.running_here()) s.deliver(event);
        else s.post([&s, event] { s.deliver(event); });
    });
    if (presence_exchange* presence = bus.presence()) share_presence(*presence);
    load_stored_channels();
}

void hub::share_presence(presence_exchange& presence) {
    // Called on the exchange's thread: each change goes to its channel's shard, in order.
    presence_handlers handlers;
    handlers.changed = [this](const presence_entry& e, bool present) {
        shard& s = shard_for(e.channel);
        s.post([&s, e, present] { s.remote_changed(e, present); });
    };
    handlers.replaced = [this](std::vector<presence_entry> all) {
        std::vector<std::vector<presence_entry>> by_shard(shards_.size());
        for (auto& e : all) by_shard[shard_of(e.channel, shards_.size())].push_back(std::move(e));
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            shard& s = *shards_[i];
            s.post([&s, entries = std::move(by_shard[i])]() mutable { s.remote_replaced(std::move(entries)); });
        }
    };
    handlers.gone = [this](const std::string& origin) {
        for (auto& each : shards_) {
            shard& s = *each;
            s.post([&s, origin] { s.remote_gone(origin); });
        }
    };
    handlers.fenced = [this] {
        close_all(ws::close_code::going_away, "this server was cut off from the others: reconnect");
    };
    presence.set_handlers(std::move(handlers));
    // A guest in no channel is online too: registration elsewhere must see the name.
    registry_.on_guest_names([&presence](const std::string& folded, const std::string& display, bool online) {
        presence.guest_named(folded, display, online);
    });
}

hub::~hub() = default;

net::any_io_executor hub::loop_of(std::string_view channel) const {
    return shards_[shard_of(channel, shards_.size())]->loop();
}

std::size_t hub::shard_of(std::string_view channel, std::size_t shards) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char ch : channel) h = (h ^ ch) * 1099511628211ull;
    return shards <= 1 ? 0 : static_cast<std::size_t>(h % shards);
}

void hub::error(turn& t, error_code code, std::string message, const std::optional<std::string>& ref) {
    t.out.push_error(t.c, ctx_.metrics, code, std::move(message), ref);
}

void hub::send_error(connection& c, server_metrics& metrics, error_code code, std::string message,
                     std::optional<std::string> ref) {
    if (counts_toward_error_budget(code) && !c.charge_protocol_error()) return;
    metrics.count_error(code);
    c.send(make_frame(error_notice{code, std::move(message), std::move(ref)}));
}

// ------------------------------------------------------------------ entry points

void hub::open(std::shared_ptr<connection> c, std::optional<verified_account> account, std::string channel,
               std::optional<message_id> since) {
    // The session's own strand when it offers one (no hand-off per frame), else a new one.
    if (c->serial_executor())
        c->use_own_home();
    else
        c->set_home(net::make_strand(executor_));
    at_home(c, [this, account = std::move(account), channel = std::move(channel), since](turn& t) {
        registry_.add(t.c);
        connection_info info;
        info.id = channel;
        info.session = t.c->session_id();
        info.server = options_.server_name;
        info.heartbeat_ms = options_.heartbeat_ms;
        if (account) {  // opened with a token: its account from the start
            auto& s = t.state;
            s.name = account->name;
            s.folded = fold_name(account->name);
            s.account = account->name;
            s.account_id = account->id;
            s.admin = account->admin;
            t.c->mark_named();
            registry_.named(*t.c, s.folded, account->name, false);
            info.user = s.name;
            info.role = s.admin ? "admin" : "user";
        }
        t.out.push(t.c, make_frame(info));
        on_join(t, channel, since, std::nullopt);
    });
}

void hub::handle(std::shared_ptr<connection> c, client_frame frame) {
    if (!c->has_home()) return;  // never opened: nothing of it is in the hub
    at_home(c, [this, frame = std::move(frame)](turn& t) mutable {
        if (!t.state.open) return;
        // Frames sent right behind the upgrade (bots, `wscat -x`) must see the path join as
        // done, and frames behind an identity its name: they wait until it is settled. The
        // session's rate limit bounds how many can pile up.
        if (t.state.busy() && t.state.deferred.size() < max_deferred_frames) {
            t.state.deferred.push_back(std::move(frame));
            return;
        }
        dispatch(t, std::move(frame));
    });
}

void hub::closed(std::shared_ptr<connection> c) {
    if (!c->has_home()) return;
    at_home(c, [this](turn& t) { on_closed(t); });
}

void hub::close_all(std::uint16_t code, std::string reason) {
    for (const auto& c : registry_.all()) c->close(code, reason);
}

bool hub::guest_online(std::string_view folded) const {
    if (registry_.guest_online(folded)) return true;
    presence_exchange* presence = ctx_.bus.presence();
    return presence && presence->remote_guest_online(folded);
}

void hub::kicked_elsewhere(const std::string& channel, const std::string& folded) {
    shard& s = shard_for(channel);
    s.post([&s, channel, folded] { s.remove_name(channel, folded); });
}

void hub::dispatch(turn& t, client_frame frame) {
    const auto& ref = frame.nonce;
    std::visit(
        [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, identity_request>) on_identity(t, m);
            else if constexpr (std::is_same_v<T, post_message>) on_post(t, std::move(m), frame.nonce);
            else if constexpr (std::is_same_v<T, join_request>) on_join(t, m.channel, m.since, ref);
            else if constexpr (std::is_same_v<T, leave_request>) on_leave(t, m.channel, ref);
            else if constexpr (std::is_same_v<T, channels_request>) on_channels(t, m);
            else if constexpr (std::is_same_v<T, history_request>) on_history(t, m, ref);
            else if constexpr (std::is_same_v<T, typing_request>) on_typing(t, m, ref);
            else if constexpr (std::is_same_v<T, edit_request>)
                on_change(t, make_change(message_change::kind::edit, m.id, std::move(m.text)), ref);
            else if constexpr (std::is_same_v<T, delete_request>)
                on_change(t, make_change(message_change::kind::remove, m.id, {}), ref);
            else if constexpr (std::is_same_v<T, kick_request>) on_kick(t, m, ref);
            else if constexpr (std::is_same_v<T, ban_request>) on_ban(t, m, ref);
            else if constexpr (std::is_same_v<T, heartbeat_reply>) {
                // Answered by the session; nothing for the hub to do.
            }
        },
        frame.message);
}

void hub::replay_deferred(turn& t) {
    auto& state = t.state;
    // A replayed frame may start another join or identity, which defers the rest again.
    while (!state.busy() && !state.deferred.empty() && state.open) {
        auto frames = std::move(state.deferred);
        state.deferred.clear();
        std::size_t i = 0;
        for (; i < frames.size() && !state.busy(); ++i) dispatch(t, std::move(frames[i]));
        for (; i < frames.size(); ++i) state.deferred.push_back(std::move(frames[i]));
    }
}

void hub::on_closed(turn& t) {
    auto& state = t.state;
    if (!state.open) return;
    state.open = false;
    // Shards read this before putting a late join into a room (shard::finish_join); set
    // before the leaves below are posted, so every shard sees one or the other.
    t.c->mark_hub_closed();
    auto leave_all = [&](const std::vector<std::string>& channels) {
        for (const auto& channel : channels) {
            shard& s = shard_for(channel);
            s.post([&s, c = t.c, channel] { s.leave(c, channel, false); });
        }
    };
    leave_all(state.channels);
    leave_all(state.joining);
    registry_.remove(*t.c);
    state.deferred.clear();
}

// ------------------------------------------------------------------ shard events

void hub::join_done(const conn_ptr& c, const std::string& channel, bool entered) {
    at_home(c, [this, channel, entered](turn& t) {
        auto& state = t.state;
        if (auto it = std::find(state.joining.begin(), state.joining.end(), channel); it != state.joining.end())
            state.joining.erase(it);
        if (!state.open) return;
        if (entered && std::find(state.channels.begin(), state.channels.end(), channel) == state.channels.end())
            state.channels.push_back(channel);
        replay_deferred(t);
    });
}

void hub::kicked(const conn_ptr& c, const std::string& channel) {
    at_home(c, [channel](turn& t) { std::erase(t.state.channels, channel); });
}

void hub::claim_answered(const conn_ptr& c, const std::string& channel, bool accepted) {
    at_home(c, [this, channel, accepted](turn& t) { on_claim_answered(t, channel, accepted); });
}

// ------------------------------------------------------------------ stored channels

void hub::load_stored_channels() {
    // The callback runs on the storage thread in commit order, before the completion of any
    // post committed after the read: the catalog takes it at once (it is thread-safe), so a
    // channel first posted to after the read is never lost from the count.
    ctx_.store.channels([this, life = std::weak_ptr<void>(life_)](channels_result stored) {
        if (life.expired()) return;
        if (stored.ok()) catalog_.set_stored(stored.names);
        else log_warn("hub: could not read the channel names: " + stored.error);
        ctx_.clock.call_after(stored_channels_reload, [this, life] {
            if (!life.expired()) load_stored_channels();
        });
    });
}

}  // namespace parley::server::chat
