#include "chat/shard.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include <boost/asio/post.hpp>

#include "log/guarded.hpp"
#include "chat/history_budget.hpp"
#include "parley/core/codec.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"

namespace parley::server::chat {

namespace net = boost::asio;

shard::shard(net::any_io_executor executor, hub_context& ctx, shard_events& events)
    : strand_(net::make_strand(std::move(executor))), ctx_(ctx), events_(events) {}

void shard::post(std::function<void()> f) {
    net::post(strand_, [this, f = std::move(f)] {
        guarded("hub shard", f, [] {});
        out_.flush();
    });
}

void shard::from_store(std::function<void()> work) {
    bool post_drain = false;
    {
        std::lock_guard lock(completed_mutex_);
        completed_.push_back(std::move(work));
        post_drain = !std::exchange(drain_posted_, true);
    }
    if (post_drain) post([this] { drain_store_completions(); });
}

void shard::drain_store_completions() {
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard lock(completed_mutex_);
        batch.swap(completed_);
        drain_posted_ = false;
    }
    for (auto& work : batch) guarded("hub store completion", work, [] {});
}

// ------------------------------------------------------------------ joining and leaving

void shard::finish_join(const conn_ptr& c, const join_ticket& ticket, history_result history) {
    // The member enters the room now, when the history read's answer reaches the channel's
    // shard. Posts to the channel complete here too, in commit order: every message committed
    // before the read is in the history (and its broadcast went out before the member
    // entered), and every later one is broadcast to it: no gap and nothing twice.
    const std::string& channel = ticket.channel;
    if (c->hub_closed()) return refuse_join(c, ticket, std::nullopt, {});
    if (history.failed())
        return refuse_join(c, ticket, error_code::server_error, "could not read the history of #" + channel);
    auto it = rooms_.find(channel);
    const bool member = it != rooms_.end() && it->second.has_member(c.get());
    if (member) {
        // A repeated join only resends joined + history; a claim taken for it is not needed.
        if (ticket.claimed) ctx_.catalog.release(channel);
        join_ticket again = ticket;
        again.claimed = false;
        return admit(c, again, std::move(history));
    }
    // Someone may have taken the name in this channel while the history was read.
    static const room no_room;
    if (!ticket.folded.empty() &&
        name_conflicts(channel, it != rooms_.end() ? it->second : no_room, *c, ticket.folded, ticket.is_account))
        return refuse_join(c, ticket, error_code::name_taken,
                           "another connection in #" + channel + " holds the name " + ticket.display);
    join_ticket entering = ticket;
    // Kicked meanwhile, its home still listed the channel and took no claim: take it now.
    if (!entering.claimed) {
        if (!ctx_.catalog.claim(channel))
            return refuse_join(c, ticket, error_code::forbidden,
                               "the server has " + std::to_string(ctx_.options.max_channels) +
                                   " channels, its limit: join an existing one");
        entering.claimed = true;
    }
    presence_exchange* presence = shared_presence();
    if (presence && !entering.folded.empty() && !entering.is_account) {
        // A guest's name in a channel is one server's: the database decides, then it enters
        // (events the stream brings meanwhile are replayed after its history).
        auto held = std::make_shared<history_result>(std::move(history));
        presence->claim_guest(channel, entering.folded, entering.display,
                              [this, c, entering, held](bool accepted) {
                                  post([this, c, entering, held, accepted] {
                                      guest_claimed(c, entering, std::move(*held), accepted);
                                  });
                              });
        return;
    }
    admit(c, entering, std::move(history));
}

void shard::guest_claimed(const conn_ptr& c, const join_ticket& ticket, history_result history, bool accepted) {
    const std::string& channel = ticket.channel;
    if (!accepted)
        return refuse_join(c, ticket, error_code::name_taken,
                           "another connection in #" + channel + " holds the name " + ticket.display);
    auto it = rooms_.find(channel);
    static const room no_room;
    // The database gave it the name: only a connection here can hold it now (what is known
    // of the other servers may be a moment behind the database).
    const bool conflict = name_conflicts(channel, it != rooms_.end() ? it->second : no_room, *c, ticket.folded,
                                         ticket.is_account, false);
    if (c->hub_closed() || conflict) {
        shared_presence()->departed(channel, ticket.folded);  // claimed for nothing: given back
        if (c->hub_closed()) return refuse_join(c, ticket, std::nullopt, {});
        return refuse_join(c, ticket, error_code::name_taken,
                           "another connection in #" + channel + " holds the name " + ticket.display);
    }
    admit(c, ticket, std::move(history));
}

void shard::refuse_join(const conn_ptr& c, const join_ticket& ticket, std::optional<error_code> code,
                        std::string message) {
    if (ticket.claimed) ctx_.catalog.release(ticket.channel);
    if (code) out_.push_error(c, ctx_.metrics, *code, std::move(message), ticket.ref);
    events_.join_done(c, ticket.channel, false);
}

void shard::admit(const conn_ptr& c, const join_ticket& ticket, history_result history) {
    const std::string& channel = ticket.channel;
    auto it = rooms_.find(channel);
    const bool member = it != rooms_.end() && it->second.has_member(c.get());
    if (member) {
        // A repeated join's history holds what its read saw; later events it had live.
        if (auto* m = it->second.find(c.get())) m->seen_through = std::max(m->seen_through, history.position);
    } else {
        join_ticket entering = ticket;
        entering.seen_through = history.position;
        enter_room(c, entering);
    }
    room& r = rooms_.at(channel);
    const stream_position seen = history.position;
    push_joined(c, channel, r);
    out_.push(c, make_frame(fit_history_page(channel, std::move(history), ticket.direction,
                                             ctx_.options.max_reply_bytes)));
    // Across servers the stream may have brought this shard events the read did not see
    // before the read came back: they follow the history, so the joiner misses none.
    if (!member) replay_since(c, channel, ticket.folded, seen);
    events_.join_done(c, channel, true);
}

void shard::push_joined(const conn_ptr& c, const std::string& channel, const room& r) {
    joined_notice joined{channel, {}, std::nullopt};
    for (const auto& [folded, entry] : r.names) joined.users.push_back(entry.display);
    if (auto other = remote_.find(channel); other != remote_.end())
        for (const auto& [folded, entry] : other->second)
            if (!r.names.contains(folded)) joined.users.push_back(entry.display);
    const auto listed = static_cast<std::size_t>(ctx_.options.presence_names_up_to);
    if (joined.users.size() > listed) {
        // A big channel: the first names in order and the count, not a frame of every name.
        std::partial_sort(joined.users.begin(), joined.users.begin() + static_cast<std::ptrdiff_t>(listed),
                          joined.users.end());
        joined.users.resize(listed);
        joined.online = online(channel, r);
    } else {
        std::sort(joined.users.begin(), joined.users.end());
    }
    out_.push(c, make_frame(joined));
}

void shard::enter_room(const conn_ptr& c, const join_ticket& ticket) {
    auto [it, created] = rooms_.try_emplace(ticket.channel);
    if (created) ctx_.metrics.channels_active.fetch_add(1, std::memory_order_relaxed);
    room& r = it->second;
    r.members.push_back({c, c.get(), ticket.folded, ticket.is_account, ticket.seen_through});
    if (ticket.folded.empty()) return;
    auto& entry = r.names[ticket.folded];
    if (entry.connections++ == 0) {
        entry.display = ticket.display;
        entry.is_account = ticket.is_account;
        // A guest's row is its claim; an account's says it is online here too.
        if (presence_exchange* presence = shared_presence(); presence && ticket.is_account)
            presence->account_arrived(ticket.channel, ticket.folded, ticket.display);
        name_arrived(ticket.channel, r, ticket.display, c.get());
    }
}

void shard::leave(const conn_ptr& c, const std::string& channel, bool notice) {
    leave_room(*c, channel);
    if (notice) out_.push(c, make_frame(left_notice{channel, std::nullopt}));
}

bool shard::leave_room(const connection& c, const std::string& channel) {
    auto it = rooms_.find(channel);
    if (it == rooms_.end()) return false;
    room& r = it->second;
    auto m = std::find_if(r.members.begin(), r.members.end(), [&](const room::member& x) { return x.raw == &c; });
    if (m == r.members.end()) return false;
    const std::string folded = m->folded;
    r.members.erase(m);
    std::erase_if(r.claims, [&](const auto& claim) { return claim.second == &c; });
    if (!folded.empty()) {
        auto entry = r.names.find(folded);
        if (entry != r.names.end() && --entry->second.connections <= 0) {
            const std::string display = entry->second.display;
            r.names.erase(entry);
            if (presence_exchange* presence = shared_presence()) presence->departed(channel, folded);
            name_left(channel, r, display, &c);
        }
    }
    ctx_.catalog.release(channel);
    if (r.members.empty()) {
        rooms_.erase(it);
        ctx_.metrics.channels_active.fetch_sub(1, std::memory_order_relaxed);
    }
    return true;
}

// ------------------------------------------------------------------ names

bool shard::name_conflicts(const std::string& channel, const room& r, const connection& c,
                           const std::string& folded, bool is_account, bool ask_remote) const {
    // A guest of another server holds it (the database decides the races this misses).
    if (const remote_name* other = ask_remote ? remote(channel, folded) : nullptr;
        other && !is_account && !other->is_account)
        return true;
    if (auto claim = r.claims.find(folded); claim != r.claims.end() && claim->second != &c) return true;
    auto entry = r.names.find(folded);
    if (entry == r.names.end()) return false;
    // One account may be online on several connections; a guest name belongs to one.
    if (is_account && entry->second.is_account) return false;
    // The connection's own entry (it is already in the channel under this name) is no conflict.
    for (const auto& m : r.members)
        if (m.raw == &c) return !(m.folded == folded && entry->second.connections == 1);
    return true;
}

void shard::claim_name(const conn_ptr& c, const std::string& channel, const std::string& folded,
                       const std::string& display) {
    auto it = rooms_.find(channel);
    // Not a member yet (its join is in flight): the join checks the name when it completes.
    if (it == rooms_.end() || !it->second.has_member(c.get())) return events_.claim_answered(c, channel, true);
    if (name_conflicts(channel, it->second, *c, folded, false)) return events_.claim_answered(c, channel, false);
    it->second.claims[folded] = c.get();
    presence_exchange* presence = shared_presence();
    if (!presence) return events_.claim_answered(c, channel, true);
    presence->claim_guest(channel, folded, display, [this, c, channel, folded](bool accepted) {
        post([this, c, channel, folded, accepted] { identity_claimed(c, channel, folded, accepted); });
    });
}

void shard::identity_claimed(const conn_ptr& c, const std::string& channel, const std::string& folded,
                             bool accepted) {
    auto it = rooms_.find(channel);
    const bool still_ours = it != rooms_.end() && [&] {
        auto claim = it->second.claims.find(folded);
        return claim != it->second.claims.end() && claim->second == c.get();
    }();
    if (accepted && !still_ours) shared_presence()->departed(channel, folded);  // it left meanwhile
    if (!accepted && still_ours) it->second.claims.erase(folded);
    events_.claim_answered(c, channel, accepted && still_ours);
}

void shard::commit_name(const conn_ptr& c, const std::string& channel, const std::string& folded,
                        const std::string& display) {
    auto it = rooms_.find(channel);
    if (it == rooms_.end()) return;
    room& r = it->second;
    if (auto claim = r.claims.find(folded); claim != r.claims.end() && claim->second == c.get()) r.claims.erase(claim);
    room::member* m = r.find(c.get());
    if (!m || !m->folded.empty()) return;  // kicked meanwhile
    m->folded = folded;
    auto& entry = r.names[folded];
    if (entry.connections++ == 0) {
        entry.display = display;
        name_arrived(channel, r, display, c.get());
    }
}

void shard::release_name(const connection& c, const std::string& channel, const std::string& folded) {
    auto it = rooms_.find(channel);
    if (it == rooms_.end()) return;
    auto claim = it->second.claims.find(folded);
    if (claim == it->second.claims.end() || claim->second != &c) return;
    it->second.claims.erase(claim);
    // Refused in another channel: this one's row is given back.
    if (presence_exchange* presence = shared_presence()) presence->departed(channel, folded);
}

// ------------------------------------------------------------------ messages

void shard::posted(const conn_ptr& sender, post_result result, const std::optional<std::string>& nonce) {
    switch (result.outcome) {
        case store_outcome::ok: break;
        case store_outcome::duplicate: {
            // A resend: the stored message goes back to the sender alone.
            chat_message echo = std::move(result.message);
            echo.nonce = nonce;
            out_.push(sender, make_frame(echo));
            if (result.deleted) out_.push(sender, make_frame(deleted_notice{echo.id, echo.channel}));
            return;
        }
        default:
            out_.push_error(sender, ctx_.metrics, error_code::server_error, "the message could not be stored", nonce);
            return;
    }
    // The echo (with the nonce) is the sender's receipt; everyone else, on every instance,
    // gets the message through the bus. The echo goes out where the bus delivers the message
    // here: it must not overtake an earlier message another server committed.
    chat_message& message = result.message;
    ctx_.catalog.mark_stored(message.channel);
    std::string plain = encode(server_message{message});
    message.nonce = nonce;
    shared_frame echo = nonce ? make_frame(message) : make_text_frame(plain);
    channel_event event;
    event.channel = message.channel;
    event.payload = std::move(plain);
    event.skip_session = sender->session_id();
    event.position = result.position;
    event.echo = [this, sender, echo = std::move(echo)] { out_.push(sender, echo); };
    ctx_.bus.publish(std::move(event));
}

void shard::typing(const std::string& channel, const std::string& folded, const std::string& display) {
    auto it = rooms_.find(channel);
    if (it == rooms_.end()) return;
    auto entry = it->second.names.find(folded);
    if (entry == it->second.names.end()) return;  // kicked meanwhile
    const auto now = ctx_.clock.steady_ms();
    auto& last = entry->second.last_typing_ms;
    if (last != 0 && now - last < limits::typing_relay_interval_ms) return;
    last = now;
    // Not to the sender, nor to the sender's other connections (same name).
    channel_event event;
    event.channel = channel;
    event.payload = encode(server_message{typing_notice{channel, display}});
    event.skip_user = folded;
    ctx_.bus.publish(std::move(event));
}

void shard::publish_change(const server_message& notice, const std::string& channel, stream_position position,
                           const conn_ptr& requester) {
    std::string payload = encode(notice);
    auto it = rooms_.find(channel);
    const bool in_channel = it != rooms_.end() && it->second.has_member(requester.get());
    if (!in_channel && !requester->hub_closed()) out_.push(requester, make_text_frame(payload));
    channel_event event;
    event.channel = channel;
    event.payload = std::move(payload);
    event.position = position;
    ctx_.bus.publish(std::move(event));
}

void shard::deliver(const channel_event& event) {
    if (event.echo) event.echo();
    if (!event.broadcast) return;
    auto it = rooms_.find(event.channel);
    if (it == rooms_.end() && event.position == 0) return;
    // Serialised once, shared by every recipient.
    const shared_frame frame = make_text_frame(event.payload);
    if (event.position != 0) remember(event, frame);
    if (it == rooms_.end()) return;
    for (const auto& m : it->second.members) {
        if (event.position != 0 && event.position <= m.seen_through) continue;  // in its history
        if (!event.skip_user.empty() && m.folded == event.skip_user) continue;
        auto peer = m.weak.lock();
        if (!peer) continue;
        if (!event.skip_session.empty() && peer->session_id() == event.skip_session) continue;
        out_.push(peer, frame);
    }
}

void shard::remember(const channel_event& event, const shared_frame& frame) {
    if (recent_.size() == recent_events_kept) {
        forgotten_through_ = recent_.front().position;
        recent_.pop_front();
    }
    recent_.push_back({event.position, event.channel, frame, event.skip_session, event.skip_user});
}

void shard::replay_since(const conn_ptr& c, const std::string& channel, const std::string& folded,
                         stream_position seen_through) {
    // Only positioned events are kept: with no stream (one server) there is nothing here.
    if (recent_.empty() || recent_.back().position <= seen_through) return;
    if (forgotten_through_ > seen_through) {
        // The stream ran more than recent_events_kept events ahead of the read: what was
        // dropped cannot be told apart, so the joiner may miss some. Counted, never silent.
        ctx_.metrics.stream_replays_short.fetch_add(1, std::memory_order_relaxed);
    }
    auto first = std::upper_bound(recent_.begin(), recent_.end(), seen_through,
                                  [](stream_position p, const recent_event& e) { return p < e.position; });
    for (auto e = first; e != recent_.end(); ++e) {
        if (e->channel != channel) continue;
        if (!e->skip_user.empty() && e->skip_user == folded) continue;
        if (!e->skip_session.empty() && e->skip_session == c->session_id()) continue;
        out_.push(c, e->frame);
    }
}

// ------------------------------------------------------------------ moderation

void shard::kick(const conn_ptr& admin, const kick_request& request, const std::optional<std::string>& ref,
                 const actor_info& actor) {
    const std::string folded = fold_name(request.user);
    // Every server removes its own members of that name: this one now, the others when
    // they are told (they may hold the name when this one does not).
    control_notice notice{"kick", {request.channel, folded}};
    ctx_.bus.send_control(std::move(notice));
    const bool here = remove_name(request.channel, folded);
    if (!here && !remote(request.channel, folded))
        return out_.push_error(admin, ctx_.metrics, error_code::not_found,
                               request.user + " is not in #" + request.channel, ref);
    ctx_.names.record({actor.name, "kick", request.user, request.channel, {}, actor.address});
}

bool shard::remove_name(const std::string& channel, const std::string& folded) {
    auto r = rooms_.find(channel);
    if (r == rooms_.end() || !r->second.names.contains(folded)) return false;
    std::vector<conn_ptr> targets;
    for (const auto& m : r->second.members)
        if (m.folded == folded)
            if (auto peer = m.weak.lock()) targets.push_back(std::move(peer));
    for (const auto& target : targets) {
        leave_room(*target, channel);
        out_.push(target, make_frame(left_notice{channel, "kicked"}));
        events_.kicked(target, channel);
    }
    return true;
}

// ------------------------------------------------------------------ presence

void shard::name_arrived(const std::string& channel, room& r, const std::string& display, const connection* skip) {
    // Online on another server already: the members here saw it come.
    if (remote(channel, fold_name(display))) return ctx_.catalog.set_online(channel, online(channel, r));
    send_presence(channel, r, display, presence_notice::change::joined, skip);
}

void shard::name_left(const std::string& channel, room& r, const std::string& display, const connection* skip) {
    if (r.members.empty()) return;  // the last one left: nobody to tell
    // Still online on another server.
    if (remote(channel, fold_name(display))) return ctx_.catalog.set_online(channel, online(channel, r));
    send_presence(channel, r, display, presence_notice::change::left, skip);
}

void shard::send_presence(const std::string& channel, room& r, const std::string& display,
                          presence_notice::change state, const connection* skip) {
    const int count = online(channel, r);
    ctx_.catalog.set_online(channel, count);
    if (count > ctx_.options.presence_names_up_to) return count_changed(channel, r);
    broadcast(r, make_frame(presence_notice{channel, display, state, count}), skip);
}

int shard::online(const std::string& channel, const room& r) const {
    int count = r.online();
    if (auto other = remote_.find(channel); other != remote_.end())
        for (const auto& [folded, entry] : other->second)
            if (!r.names.contains(folded)) ++count;
    return count;
}

int shard::remote_online(const std::string& channel) const {
    auto other = remote_.find(channel);
    return other == remote_.end() ? 0 : static_cast<int>(other->second.size());
}

const shard::remote_name* shard::remote(const std::string& channel, const std::string& folded) const {
    auto other = remote_.find(channel);
    if (other == remote_.end()) return nullptr;
    auto entry = other->second.find(folded);
    return entry == other->second.end() ? nullptr : &entry->second;
}

// ------------------------------------------------------------------ other servers' presence

void shard::remote_changed(const presence_entry& entry, bool present) { set_remote(entry, present); }

void shard::remote_replaced(std::vector<presence_entry> entries) {
    // What was known and is not in the snapshot went; what is in it came (or stays).
    std::set<std::tuple<std::string, std::string, std::string>> now;
    for (const auto& e : entries) now.emplace(e.channel, e.folded, e.origin);
    std::vector<presence_entry> gone;
    for (const auto& [channel, names] : remote_)
        for (const auto& [folded, entry] : names)
            for (const auto& origin : entry.origins)
                if (!now.contains({channel, folded, origin}))
                    gone.push_back({channel, folded, entry.display, entry.is_account, origin});
    for (const auto& e : gone) set_remote(e, false);
    for (const auto& e : entries) set_remote(e, true);
}

void shard::remote_gone(const std::string& origin) {
    std::vector<presence_entry> gone;
    for (const auto& [channel, names] : remote_)
        for (const auto& [folded, entry] : names)
            if (entry.origins.contains(origin)) gone.push_back({channel, folded, entry.display, entry.is_account, origin});
    for (const auto& e : gone) set_remote(e, false);
}

void shard::set_remote(const presence_entry& e, bool present) {
    auto& names = remote_[e.channel];
    auto found = names.find(e.folded);
    const bool before = found != names.end();
    if (present) {
        auto& entry = names[e.folded];
        if (!before) {
            entry.display = e.display;
            entry.is_account = e.is_account;
        }
        entry.origins.insert(e.origin);
    } else if (before) {
        found->second.origins.erase(e.origin);
        if (found->second.origins.empty()) names.erase(found);
    }
    const bool after = names.contains(e.folded);
    if (names.empty()) remote_.erase(e.channel);
    if (before == after) return;
    auto it = rooms_.find(e.channel);
    ctx_.catalog.set_online_elsewhere(e.channel, remote_online(e.channel));
    if (it == rooms_.end()) return;
    room& r = it->second;
    // Online here too: nothing changes for the members here.
    if (r.names.contains(e.folded)) return ctx_.catalog.set_online(e.channel, online(e.channel, r));
    send_presence(e.channel, r, e.display,
                  after ? presence_notice::change::joined : presence_notice::change::left, nullptr);
}

void shard::broadcast(const room& r, const shared_frame& frame, const connection* skip) {
    for (const auto& m : r.members) {
        if (m.raw == skip) continue;
        if (auto peer = m.weak.lock()) out_.push(peer, frame);
    }
}

void shard::count_changed(const std::string& channel, room& r) {
    if (!r.count_changed) {
        r.count_changed = true;
        counts_changed_.push_back(channel);
    }
    arm_presence_timer();
}

void shard::arm_presence_timer() {
    if (presence_timer_armed_) return;
    presence_timer_armed_ = true;
    ctx_.clock.call_after(ctx_.options.online_count_interval, [this, life = ctx_.life] {
        if (life.expired()) return;
        post([this] {
            presence_timer_armed_ = false;
            send_online_counts();
        });
    });
}

void shard::send_online_counts() {
    const auto now = ctx_.clock.steady_ms();
    const auto step = ctx_.options.online_count_interval.count();
    std::vector<std::string> waiting;
    for (auto& channel : counts_changed_) {
        auto it = rooms_.find(channel);
        if (it == rooms_.end()) continue;
        room& r = it->second;
        const int online = shard::online(channel, r);
        const auto per_step = std::max(1, ctx_.options.presence_names_up_to);
        const std::int64_t interval = step * ((online + per_step - 1) / per_step);
        if (r.last_count_ms != 0 && now - r.last_count_ms < interval) {
            waiting.push_back(std::move(channel));
            continue;
        }
        r.last_count_ms = now;
        r.count_changed = false;
        broadcast(r, make_frame(online_notice{channel, online}));
    }
    counts_changed_ = std::move(waiting);
    if (!counts_changed_.empty()) arm_presence_timer();
}

}  // namespace parley::server::chat
