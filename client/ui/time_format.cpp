#include "time_format.hpp"

#include <ctime>

namespace parley::ui {
namespace {

std::tm local_time(unix_ms time) {
    const std::time_t seconds = static_cast<std::time_t>(time / 1000);
    std::tm parts{};
    localtime_r(&seconds, &parts);
    return parts;
}

std::string format(const char* pattern, const std::tm& parts) {
    char buffer[64];
    const std::size_t n = std::strftime(buffer, sizeof buffer, pattern, &parts);
    return std::string(buffer, n);
}

/// Days since the epoch in local time, so "today" follows the reader's midnight.
long local_day(const std::tm& parts) {
    std::tm copy = parts;
    copy.tm_hour = 12;  // noon: immune to daylight-saving shifts of an hour
    copy.tm_min = 0;
    copy.tm_sec = 0;
    return static_cast<long>(std::mktime(&copy) / 86400);
}

}  // namespace

std::string format_message_time(unix_ms time, unix_ms now) {
    const std::tm when = local_time(time);
    const long days = local_day(local_time(now)) - local_day(when);
    if (days == 0) return format("%H:%M", when);
    if (days > 0 && days < 7) return format("%a %H:%M", when);
    return format("%Y-%m-%d %H:%M", when);
}

std::string format_full_time(unix_ms time) {
    return format("%a %d %b %Y, %H:%M:%S", local_time(time));
}

}  // namespace parley::ui
