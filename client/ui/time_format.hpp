#pragma once
// Message times in the reader's local time zone, as short as the distance allows.

#include <string>

#include "parley/core/messages.hpp"

namespace parley::ui {

/// "14:05" today, "Mon 14:05" within the last six days, "2024-05-19 14:05" before that
/// (and for times after `now`, which a skewed clock can produce).
std::string format_message_time(unix_ms time, unix_ms now);

/// "Mon 20 May 2024, 14:05:09": the full time, for a tooltip.
std::string format_full_time(unix_ms time);

}  // namespace parley::ui
