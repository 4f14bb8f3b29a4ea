#include "live_announcer.hpp"

#include <iterator>

namespace parley::ui {

std::vector<std::string> live_announcer::update(const client::channel_state* channel) {
    std::vector<std::string> lines;
    if (!channel) return lines;
    const message_id newest = channel->messages.empty() ? 0 : channel->messages.back().id;
    if (channel->name != channel_) {
        channel_ = channel->name;
        announced_up_to_ = newest;
        return lines;
    }
    auto first_new = channel->messages.end();
    while (first_new != channel->messages.begin() && std::prev(first_new)->id > announced_up_to_) --first_new;
    std::size_t others = 0;
    for (auto it = first_new; it != channel->messages.end(); ++it) {
        if (it->mine) continue;
        if (lines.size() < max_lines)
            lines.push_back(it->user + ": " + it->text);
        else
            ++others;
    }
    if (others > 0) lines.push_back("and " + std::to_string(others) + " more new messages");
    if (newest > announced_up_to_) announced_up_to_ = newest;
    return lines;
}

}  // namespace parley::ui
