#pragma once
// A channel's delivered messages as one vector sorted by id: lookup is a binary search,
// appending the newest is amortised O(1), and a page of older or resumed messages is
// merged in one pass. Used by chat_model; pure functions, no state of their own.

#include <cstddef>
#include <vector>

#include "model/model_types.hpp"
#include "parley/core/messages.hpp"

namespace parley::client {

/// The compact entry for a wire message.
message_entry to_entry(const chat_message& message, bool mine);

/// The entry with `id` in `list` (sorted by id), or nullptr.
message_entry* find_message(std::vector<message_entry>& list, message_id id);
const message_entry* find_message(const std::vector<message_entry>& list, message_id id);

/// Adds `fresh` (any order; ids not yet in `list`, duplicates among them dropped) to
/// `list`, keeping it sorted by id. Returns how many were added.
std::size_t insert_messages(std::vector<message_entry>& list, std::vector<message_entry> fresh);

/// Removes the entry with `id`; false when there is none.
bool erase_message(std::vector<message_entry>& list, message_id id);

/// Drops the oldest entries beyond `max`; returns how many were dropped.
std::size_t trim_oldest(std::vector<message_entry>& list, std::size_t max);

}  // namespace parley::client
