#include "chat/history_budget.hpp"

#include <algorithm>

#include "parley/core/codec.hpp"

namespace parley::server::chat {

namespace {
/// What a history frame holds besides its messages: type, channel, has_more, brackets.
constexpr std::size_t page_envelope_bytes = 96;
}  // namespace

history_page fit_history_page(std::string channel, history_result result, history_direction direction,
                              std::size_t max_bytes) {
    auto& messages = result.messages;
    const bool keep_newest = direction != history_direction::after;
    // Walk from the end that is kept, adding each message's encoded size (and its comma).
    std::size_t used = page_envelope_bytes + channel.size();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& m = keep_newest ? messages[messages.size() - 1 - i] : messages[i];
        const std::size_t size = encode(server_message{m}).size() + 1;
        if (kept > 0 && used + size > max_bytes) break;
        used += size;
        ++kept;
    }
    const bool cut = kept < messages.size();
    if (cut) {
        if (keep_newest) messages.erase(messages.begin(), messages.end() - static_cast<std::ptrdiff_t>(kept));
        else messages.resize(kept);
    }
    return history_page{std::move(channel), std::move(messages), result.has_more || cut};
}

}  // namespace parley::server::chat
