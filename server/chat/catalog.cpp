#include "chat/catalog.hpp"

#include <algorithm>

namespace parley::server::chat {

bool channel_catalog::claim(const std::string& channel) {
    std::lock_guard lock(mutex_);
    auto it = live_.find(channel);
    if (it == live_.end()) {
        const bool stored = stored_.contains(channel);
        if (!stored && count_locked() >= max_channels_) return false;
        it = live_.emplace(channel, live_channel{}).first;
        if (!stored) ++live_unstored_;
    }
    ++it->second.claims;
    return true;
}

void channel_catalog::release(const std::string& channel) {
    std::lock_guard lock(mutex_);
    auto it = live_.find(channel);
    if (it == live_.end() || --it->second.claims > 0) return;
    if (!stored_.contains(channel)) --live_unstored_;
    live_.erase(it);
}

void channel_catalog::set_online(const std::string& channel, int online) {
    std::lock_guard lock(mutex_);
    if (auto it = live_.find(channel); it != live_.end()) it->second.online = online;
}

void channel_catalog::mark_stored(const std::string& channel) {
    std::lock_guard lock(mutex_);
    if (!stored_.insert(channel).second) return;
    if (live_.contains(channel)) --live_unstored_;
}

void channel_catalog::set_stored(const std::vector<std::string>& names) {
    std::lock_guard lock(mutex_);
    stored_ = std::set<std::string>(names.begin(), names.end());
    live_unstored_ = 0;
    for (const auto& [name, entry] : live_)
        if (!stored_.contains(name)) ++live_unstored_;
}

channel_list channel_catalog::page(const channels_request& request) const {
    // Two sorted sequences merged by name, one page after `after`. A page of 200 names of at
    // most 32 bytes stays near 10 KB however many channels exist.
    std::lock_guard lock(mutex_);
    auto stored = request.after ? stored_.upper_bound(*request.after) : stored_.begin();
    auto live = request.after ? live_.upper_bound(*request.after) : live_.begin();
    channel_list list;
    const auto limit = static_cast<std::size_t>(std::max(1, request.limit));
    while (list.channels.size() < limit && (stored != stored_.end() || live != live_.end())) {
        if (live == live_.end() || (stored != stored_.end() && *stored < live->first)) {
            list.channels.push_back({*stored++, 0});
            continue;
        }
        if (stored != stored_.end() && *stored == live->first) ++stored;  // both: listed once
        list.channels.push_back({live->first, live->second.online});
        ++live;
    }
    list.has_more = stored != stored_.end() || live != live_.end();
    return list;
}

int channel_catalog::count() const {
    std::lock_guard lock(mutex_);
    return count_locked();
}

}  // namespace parley::server::chat
