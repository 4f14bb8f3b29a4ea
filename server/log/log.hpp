#pragma once
// One-line log records on stderr. Thread-safe: each record is written with one call.
// A leaf: every layer may log, so this includes nothing of the server's.

#include <string_view>

namespace parley::server {

/// How much the server logs. `info` logs connections and problems, never chat messages.
enum class log_level { error, warn, info, debug };

/// Sets the level below which records are dropped; call once at start-up.
void set_log_level(log_level level);
/// Whether records at `level` are written.
bool log_enabled(log_level level);
/// Writes one record (a timestamp, the level and `text`). Any thread.
void log(log_level level, std::string_view text);

inline void log_info(std::string_view text) { log(log_level::info, text); }
inline void log_warn(std::string_view text) { log(log_level::warn, text); }
inline void log_error(std::string_view text) { log(log_level::error, text); }

}  // namespace parley::server
