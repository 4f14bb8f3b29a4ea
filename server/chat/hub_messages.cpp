// The hub's message and moderation requests on a connection's home: post, typing, edit and
// delete (one path: message_change), kick and ban.
#include <algorithm>

#include "chat/hub.hpp"
#include "parley/core/text.hpp"
#include "ws/frame.hpp"

namespace parley::server::chat {

void hub::on_post(turn& t, post_message message, std::optional<std::string> nonce) {
    const auto& state = t.state;
    if (!state.name) return error(t, error_code::not_identified, "identify before posting", nonce);
    auto channel = resolve_channel(t, message.channel, nonce);
    if (!channel) return;

    new_message stored;
    stored.channel = std::move(*channel);
    stored.user = *state.name;
    stored.text = std::move(message.text);
    stored.timestamp = ctx_.clock.unix_ms();
    stored.owner = owner_key(*t.c);
    stored.nonce = nonce;
    stored.resend_scope = state.account_id ? "a:" + std::to_string(*state.account_id) : "g:" + state.folded;
    stored.session = t.c->session_id();
    // The broadcast waits for the commit: the echo is the delivery receipt. The completion
    // goes to the channel's shard, in commit order.
    shard& s = shard_for(stored.channel);
    ctx_.store.post(std::move(stored), [&s, c = t.c, nonce = std::move(nonce)](post_result result) mutable {
        s.from_store([&s, c = std::move(c), nonce = std::move(nonce), result = std::move(result)]() mutable {
            s.posted(c, std::move(result), nonce);
        });
    });
}

void hub::on_typing(turn& t, const typing_request& request, const std::optional<std::string>& ref) {
    const auto& state = t.state;
    if (!state.name) return error(t, error_code::not_identified, "identify before typing", ref);
    auto channel = resolve_channel(t, request.channel, ref);
    if (!channel) return;
    shard& s = shard_for(*channel);
    s.post([&s, channel = *channel, folded = state.folded, display = *state.name] {
        s.typing(channel, folded, display);
    });
}

void hub::on_change(turn& t, message_change change, const std::optional<std::string>& ref) {
    const auto& state = t.state;
    const bool edit = change.what == message_change::kind::edit;
    if (!state.name)
        return error(t, error_code::not_identified, edit ? "identify before editing" : "identify before deleting",
                     ref);
    change.requester = owner_key(*t.c);
    change.is_admin = state.admin;
    if (edit) change.at = ctx_.clock.unix_ms();
    actor_info actor{*state.name, t.c->address()};
    ctx_.store.change(std::move(change), [this, c = t.c, actor = std::move(actor), admin = state.admin,
                                          ref](change_result result) {
        // The notice is ordered with the channel's messages, on its shard; an answer that
        // names no channel (not found, failed) goes home.
        if (result.channel.empty()) {
            return at_home(c, [this, actor, admin, ref, result = std::move(result)](turn& home) {
                on_changed(home.c, actor, admin, result, ref, home.out, nullptr);
            });
        }
        shard& s = shard_for(result.channel);
        s.from_store([this, &s, c, actor, admin, ref, result = std::move(result)] {
            on_changed(c, actor, admin, result, ref, s.out(), &s);
        });
    });
}

void hub::on_changed(const conn_ptr& c, const actor_info& actor, bool admin, const change_result& result,
                     const std::optional<std::string>& ref, outbox& out, shard* s) {
    const bool edit = result.what == message_change::kind::edit;
    const std::string id = std::to_string(result.id);
    switch (result.outcome) {
        case store_outcome::ok:
            if (admin) ctx_.names.record({actor.name, edit ? "edit" : "delete", id, result.channel, {}, actor.address});
            if (s) s->publish_change(result.notice(), result.channel, result.position, c);
            return;
        case store_outcome::not_found:
            return out.push_error(c, ctx_.metrics, error_code::not_found, "no such message", ref);
        case store_outcome::forbidden:
            ctx_.names.record(
                {actor.name, edit ? "refused_edit" : "refused_delete", id, result.channel, {}, actor.address});
            return out.push_error(c, ctx_.metrics, error_code::forbidden,
                                  edit ? "only the author or an admin may edit"
                                       : "only the author or an admin may delete",
                                  ref);
        default:
            return out.push_error(c, ctx_.metrics, error_code::server_error,
                                  edit ? "the edit could not be stored" : "the deletion could not be stored", ref);
    }
}

void hub::on_kick(turn& t, const kick_request& request, const std::optional<std::string>& ref) {
    const actor_info actor{t.state.name.value_or(""), t.c->address()};
    if (!t.state.admin) {
        ctx_.names.record({actor.name, "refused_kick", request.user, request.channel, {}, actor.address});
        return error(t, error_code::forbidden, "only admins may kick", ref);
    }
    // The room is the channel's shard's; each target's home learns of it from there.
    shard& s = shard_for(request.channel);
    s.post([&s, c = t.c, request, ref, actor] { s.kick(c, request, ref, actor); });
}

void hub::on_ban(turn& t, const ban_request& request, const std::optional<std::string>& ref) {
    const actor_info actor{t.state.name.value_or(""), t.c->address()};
    if (!t.state.admin) {
        ctx_.names.record({actor.name, "refused_ban", request.user, {}, {}, actor.address});
        return error(t, error_code::forbidden, "only admins may ban", ref);
    }
    const std::string folded = fold_name(request.user);
    // Every connection holding the name, in any channel, goes; their addresses are banned too.
    const auto targets = registry_.holding(folded, t.c.get());
    std::vector<std::string> addresses;
    for (const auto& peer : targets)
        if (!peer->address().empty() && std::find(addresses.begin(), addresses.end(), peer->address()) == addresses.end())
            addresses.push_back(peer->address());
    const auto until = ctx_.clock.unix_ms() + request.minutes * 60'000;
    ctx_.names.record_ban(actor.name, folded, addresses, until);
    // The other servers close theirs and refuse the name and the addresses too.
    control_notice notice{"ban", {folded, std::to_string(until)}};
    notice.args.insert(notice.args.end(), addresses.begin(), addresses.end());
    ctx_.bus.send_control(std::move(notice));
    ctx_.names.record({actor.name, "ban", request.user, {}, std::to_string(request.minutes) + " minutes", actor.address});
    for (const auto& target : targets) target->close(ws::close_code::policy_violation, "banned");
}

void hub::banned_elsewhere(const std::string& folded) {
    for (const auto& target : registry_.holding(folded, nullptr))
        target->close(ws::close_code::policy_violation, "banned");
}

}  // namespace parley::server::chat
