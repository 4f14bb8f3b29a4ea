#include "model/message_store.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace parley::client {
namespace {

bool by_id(const message_entry& a, const message_entry& b) { return a.id < b.id; }

}  // namespace

message_entry to_entry(const chat_message& message, bool mine) {
    message_entry entry;
    entry.id = message.id;
    entry.timestamp = message.timestamp;
    entry.edited_at = message.edited_at.value_or(0);
    entry.user = message.user;
    entry.text = message.text;
    entry.mine = mine;
    return entry;
}

const message_entry* find_message(const std::vector<message_entry>& list, message_id id) {
    auto it = std::lower_bound(list.begin(), list.end(), id,
                               [](const message_entry& e, message_id wanted) { return e.id < wanted; });
    return it != list.end() && it->id == id ? &*it : nullptr;
}

message_entry* find_message(std::vector<message_entry>& list, message_id id) {
    return const_cast<message_entry*>(find_message(std::as_const(list), id));
}

std::size_t insert_messages(std::vector<message_entry>& list, std::vector<message_entry> fresh) {
    std::sort(fresh.begin(), fresh.end(), by_id);
    fresh.erase(std::unique(fresh.begin(), fresh.end(),
                            [](const message_entry& a, const message_entry& b) { return a.id == b.id; }),
                fresh.end());
    if (fresh.empty()) return 0;
    const std::size_t added = fresh.size();
    const bool all_newer = list.empty() || fresh.front().id > list.back().id;
    const auto middle = static_cast<std::ptrdiff_t>(list.size());
    list.insert(list.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
    // The common cases (a broadcast, a resumed page) are newer than everything: no merge.
    if (!all_newer) std::inplace_merge(list.begin(), list.begin() + middle, list.end(), by_id);
    return added;
}

bool erase_message(std::vector<message_entry>& list, message_id id) {
    auto it = std::lower_bound(list.begin(), list.end(), id,
                               [](const message_entry& e, message_id wanted) { return e.id < wanted; });
    if (it == list.end() || it->id != id) return false;
    list.erase(it);
    return true;
}

std::size_t trim_oldest(std::vector<message_entry>& list, std::size_t max) {
    if (list.size() <= max) return 0;
    const std::size_t excess = list.size() - max;
    list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(excess));
    return excess;
}

}  // namespace parley::client
