#pragma once
// Bounds a history reply in bytes as well as in count. A page of 200 messages of 4,000
// four-byte code points is about 3 MB, three times a connection's send queue: sent whole it
// would close the very client that asked. A page that would not fit is cut (fewer messages,
// `has_more: true`) and the client pages on from where it stops.

#include <cstddef>
#include <string>

#include "parley/core/messages.hpp"
#include "store/store.hpp"

namespace parley::server::chat {

/// The history frame for `result`, holding as many messages as fit in `max_bytes` of JSON,
/// and always at least one so that paging makes progress. Which end is kept follows the
/// request: `latest` and `before` page backwards and keep the newest messages; `after`
/// pages forwards (a resume) and keeps the oldest. `has_more` is set when any were cut.
history_page fit_history_page(std::string channel, history_result result, history_direction direction,
                              std::size_t max_bytes);

}  // namespace parley::server::chat
