#include "chat/registry.hpp"

namespace parley::server::chat {

void connection_registry::add(const conn_ptr& c) {
    std::lock_guard lock(mutex_);
    connections_.emplace(c.get(), entry{c, {}, {}, false});
}

void connection_registry::remove(const connection& c) {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(&c);
    if (it == connections_.end()) return;
    if (it->second.guest) {
        auto g = guests_.find(it->second.folded);
        if (g != guests_.end() && --g->second <= 0) {
            guests_.erase(g);
            if (told_) told_(it->second.folded, it->second.display, false);
        }
    }
    connections_.erase(it);
}

void connection_registry::named(const connection& c, const std::string& folded, const std::string& display,
                                bool guest) {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(&c);
    if (it == connections_.end()) return;
    it->second.folded = folded;
    it->second.display = display;
    it->second.guest = guest;
    if (guest && ++guests_[folded] == 1 && told_) told_(folded, display, true);
}

bool connection_registry::guest_online(std::string_view folded) const {
    std::lock_guard lock(mutex_);
    return guests_.contains(std::string(folded));
}

std::vector<connection_registry::conn_ptr> connection_registry::all() const {
    std::vector<conn_ptr> out;
    std::lock_guard lock(mutex_);
    out.reserve(connections_.size());
    for (const auto& [raw, e] : connections_)
        if (auto c = e.weak.lock()) out.push_back(std::move(c));
    return out;
}

std::vector<connection_registry::conn_ptr> connection_registry::holding(const std::string& folded,
                                                                        const connection* except) const {
    std::vector<conn_ptr> out;
    std::lock_guard lock(mutex_);
    for (const auto& [raw, e] : connections_) {
        if (raw == except || e.folded != folded) continue;
        if (auto c = e.weak.lock()) out.push_back(std::move(c));
    }
    return out;
}

}  // namespace parley::server::chat
