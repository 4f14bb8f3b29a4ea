// Identity across channels. A guest name must not clash in any channel the connection is
// in, and those channels may live on different shards. Two phases: the home asks each
// channel's shard to reserve the name (a claim: taken for everyone else there); when every
// shard has answered, the name is granted and each claim becomes the name (presence), or
// the name is refused and the claims are given back. Meanwhile the connection's later
// frames wait, as behind a join.
#include <algorithm>

#include "chat/hub.hpp"
#include "parley/core/text.hpp"

namespace parley::server::chat {

void hub::on_identity(turn& t, const identity_request& request) {
    auto& state = t.state;
    auto refuse = [&](const char* reason) {
        t.out.push(t.c, make_frame(identity_result{false, std::nullopt, reason}));
    };
    // A claim still out (only when more frames came than could wait) counts as a name.
    if (state.name || state.claim) return refuse("already_identified");
    if (!is_valid_user_name(request.user)) return refuse("invalid");
    const std::string folded = fold_name(request.user);
    if (options_.accounts_only) return refuse("accounts_only");
    // An account's name is reserved for it, online or not.
    if (ctx_.names.is_account_name(folded)) return refuse("taken");
    if (state.channels.empty()) {
        if (ctx_.names.is_banned(folded, t.c->address())) return refuse("banned");
        return grant_name(t, request.user, folded);
    }
    state.claim = std::make_unique<connection::hub_state::name_claim>(connection::hub_state::name_claim{
        request.user, folded, static_cast<int>(state.channels.size()), false, {}});
    for (const auto& channel : state.channels) {
        shard& s = shard_for(channel);
        s.post([&s, c = t.c, channel, folded, display = request.user] { s.claim_name(c, channel, folded, display); });
    }
}

void hub::on_claim_answered(turn& t, const std::string& channel, bool accepted) {
    auto& state = t.state;
    if (!state.claim) return;
    auto& claim = *state.claim;
    if (accepted) claim.accepted.push_back(channel);
    else claim.refused = true;
    if (--claim.waiting > 0) return;
    const auto settled = std::move(claim);  // moves the fields; the claim itself goes now
    state.claim.reset();
    const char* refusal = !state.open                                            ? "closed"
                          : settled.refused                                      ? "taken"
                          : ctx_.names.is_banned(settled.folded, t.c->address()) ? "banned"
                                                                                 : nullptr;
    if (refusal) {
        for (const auto& ch : settled.accepted) {
            shard& s = shard_for(ch);
            s.post([&s, c = t.c, ch, folded = settled.folded] { s.release_name(*c, ch, folded); });
        }
        if (!state.open) return;
        t.out.push(t.c, make_frame(identity_result{false, std::nullopt, refusal}));
        return replay_deferred(t);
    }
    grant_name(t, settled.display, settled.folded);
    for (const auto& ch : settled.accepted) {
        shard& s = shard_for(ch);
        s.post([&s, c = t.c, ch, folded = settled.folded, display = settled.display] {
            s.commit_name(c, ch, folded, display);
        });
    }
    replay_deferred(t);
}

void hub::grant_name(turn& t, const std::string& display, const std::string& folded) {
    auto& state = t.state;
    state.name = display;
    state.folded = folded;
    t.c->mark_named();
    registry_.named(*t.c, folded, display, true);
    t.out.push(t.c, make_frame(identity_result{true, display, std::nullopt}));
}

}  // namespace parley::server::chat
