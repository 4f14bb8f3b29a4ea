#include "log/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace parley::server {
namespace {

std::atomic<log_level> current_level{log_level::info};

const char* level_name(log_level level) {
    switch (level) {
        case log_level::error: return "error";
        case log_level::warn: return "warn";
        case log_level::info: return "info";
        case log_level::debug: return "debug";
    }
    return "?";
}

}  // namespace

void set_log_level(log_level level) { current_level.store(level, std::memory_order_relaxed); }

bool log_enabled(log_level level) {
    return static_cast<int>(level) <= static_cast<int>(current_level.load(std::memory_order_relaxed));
}

void log(log_level level, std::string_view text) {
    if (!log_enabled(level)) return;
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t seconds = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::string line;
    line.reserve(text.size() + 48);
    line += stamp;
    line += '.';
    line += static_cast<char>('0' + millis / 100);
    line += static_cast<char>('0' + millis / 10 % 10);
    line += static_cast<char>('0' + millis % 10);
    line += "Z ";
    line += level_name(level);
    line += ' ';
    line += text;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace parley::server
