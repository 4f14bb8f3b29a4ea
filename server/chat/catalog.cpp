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

void channel_catalog::set_online_elsewhere(const std::string& channel, int online) {
    std::lock_guard lock(mutex_);
    if (online > 0) elsewhere_.insert_or_assign(channel, online);
    else elsewhere_.erase(channel);
}

channel_list channel_catalog::page(const channels_request& request) const {
    // Three sorted sequences merged by name, one page after `after`. A page of 200 names of at
    // most 32 bytes stays near 10 KB however many channels exist.
    std::lock_guard lock(mutex_);
    auto first_after = [&request](const auto& sorted) {
        return request.after ? sorted.upper_bound(*request.after) : sorted.begin();
    };
    auto stored = first_after(stored_);
    auto live = first_after(live_);
    auto other = first_after(elsewhere_);
    const auto more = [&] { return stored != stored_.end() || live != live_.end() || other != elsewhere_.end(); };
    channel_list list;
    const auto limit = static_cast<std::size_t>(std::max(1, request.limit));
    while (list.channels.size() < limit && more()) {
        // The least name of the three comes next, listed once.
        const std::string* least = nullptr;
        const auto consider = [&least](const std::string& name) {
            if (least == nullptr || name < *least) least = &name;
        };
        if (stored != stored_.end()) consider(*stored);
        if (live != live_.end()) consider(live->first);
        if (other != elsewhere_.end()) consider(other->first);
        channel_summary entry{*least, 0};
        // A live channel's count is of every server's names; the other servers' alone can
        // be more while a join here has not counted them yet.
        if (live != live_.end() && live->first == entry.name) entry.online = (live++)->second.online;
        if (other != elsewhere_.end() && other->first == entry.name)
            entry.online = std::max(entry.online, (other++)->second);
        if (stored != stored_.end() && *stored == entry.name) ++stored;
        list.channels.push_back(std::move(entry));
    }
    list.has_more = more();
    return list;
}

int channel_catalog::count() const {
    std::lock_guard lock(mutex_);
    return count_locked();
}

}  // namespace parley::server::chat
