// The hub's channel requests on a connection's home: join, leave, history, channels.
#include <algorithm>

#include "chat/history_budget.hpp"
#include "chat/hub.hpp"
#include "parley/core/limits.hpp"

namespace parley::server::chat {

namespace {

bool has_channel(const connection::hub_state& state, const std::string& channel) {
    return std::find(state.channels.begin(), state.channels.end(), channel) != state.channels.end();
}

}  // namespace

void hub::on_join(turn& t, const std::string& channel, std::optional<message_id> since,
                  const std::optional<std::string>& ref) {
    auto& state = t.state;
    join_ticket ticket;
    ticket.channel = channel;
    ticket.ref = ref;
    if (!has_channel(state, channel)) {
        const auto in = static_cast<int>(state.channels.size() + state.joining.size());
        if (in >= options_.max_channels_per_connection)
            return error(t, error_code::forbidden,
                         "a connection may be in at most " + std::to_string(options_.max_channels_per_connection) +
                             " channels: leave one first",
                         ref);
        // Counted now, atomically across shards; given back if the join fails.
        if (!catalog_.claim(channel))
            return error(t, error_code::forbidden,
                         "the server has " + std::to_string(options_.max_channels) +
                             " channels, its limit: join an existing one",
                         ref);
        ticket.claimed = true;
    }
    if (state.name) {
        ticket.folded = state.folded;
        ticket.display = *state.name;
        ticket.is_account = state.account.has_value();
    }
    // The member enters the room when the read's completion reaches the channel's shard
    // (shard::finish_join says why that orders it right); until then this connection's
    // later frames wait (hub::handle).
    state.joining.push_back(channel);
    auto query = since ? history_query::after(channel, *since, limits::resume_history_messages)
                       : history_query::latest(channel, limits::join_history_messages);
    ticket.direction = query.direction;
    shard& s = shard_for(channel);
    ctx_.store.history(std::move(query), [&s, c = t.c, ticket = std::move(ticket)](history_result result) {
        s.from_store([&s, c, ticket, result = std::move(result)]() mutable {
            s.finish_join(c, ticket, std::move(result));
        });
    });
}

void hub::on_leave(turn& t, const std::string& channel, const std::optional<std::string>& ref) {
    if (!has_channel(t.state, channel)) return error(t, error_code::not_in_channel, "not in #" + channel, ref);
    std::erase(t.state.channels, channel);
    // `left` comes from the shard, after the last frame of the channel this connection gets.
    shard& s = shard_for(channel);
    s.post([&s, c = t.c, channel] { s.leave(c, channel, true); });
}

void hub::on_history(turn& t, const history_request& request, const std::optional<std::string>& ref) {
    auto channel = resolve_channel(t, request.channel, ref);
    if (!channel) return;
    history_query query = request.before ? history_query::before(*channel, *request.before, request.limit)
                          : request.after ? history_query::after(*channel, *request.after, request.limit)
                                          : history_query::latest(*channel, request.limit);
    const auto direction = query.direction;
    shard& s = shard_for(*channel);
    const std::size_t max_bytes = options_.max_reply_bytes;
    ctx_.store.history(std::move(query), [this, &s, c = t.c, channel = *channel, ref, direction,
                                          max_bytes](history_result result) {
        s.from_store([this, &s, c, channel, ref, direction, max_bytes, result = std::move(result)]() mutable {
            if (result.failed())
                return s.out().push_error(c, ctx_.metrics, error_code::server_error,
                                          "could not read the history of #" + channel, ref);
            s.out().push(c, make_frame(fit_history_page(channel, std::move(result), direction, max_bytes)));
        });
    });
}

void hub::on_channels(turn& t, const channels_request& request) {
    // Answered from the catalog, without visiting the shards.
    t.out.push(t.c, make_frame(catalog_.page(request)));
}

std::optional<std::string> hub::resolve_channel(turn& t, const std::optional<std::string>& channel,
                                                const std::optional<std::string>& ref) {
    const auto& joined = t.state.channels;
    if (channel) {
        if (has_channel(t.state, *channel)) return channel;
        error(t, error_code::not_in_channel, "not in #" + *channel, ref);
        return std::nullopt;
    }
    if (joined.size() == 1) return joined.front();
    if (joined.empty()) error(t, error_code::not_in_channel, "not in any channel", ref);
    else error(t, error_code::invalid_message, "'channel' is required when in several channels", ref);
    return std::nullopt;
}

}  // namespace parley::server::chat
