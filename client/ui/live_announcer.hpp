#pragma once
// What a screen reader is told about the open channel: each message that arrives from
// someone else while it is open, once, as "name: text". History already there when the
// channel opens, or loaded above it, is not news. The app hands the lines to the
// platform (platform/announce.hpp: the page's aria-live region).

#include <string>
#include <vector>

#include "model/model_types.hpp"

namespace parley::ui {

class live_announcer {
public:
    /// A burst beyond this many messages is summed up in one line.
    static constexpr std::size_t max_lines = 5;

    /// The lines to announce since the last call, for `channel` (the open one, or null).
    std::vector<std::string> update(const client::channel_state* channel);

private:
    std::string channel_;
    message_id announced_up_to_ = 0;
};

}  // namespace parley::ui
