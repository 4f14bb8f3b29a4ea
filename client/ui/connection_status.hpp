#pragma once
// The connection status line that is always on screen: connected, reconnecting in N s,
// offline. Pure over the model's state, so its wording is tested without ImGui.

#include <string>

#include "model/chat_model.hpp"

namespace parley::ui {

/// How the status reads and how alarming it is.
struct connection_status {
    enum class level { ok, busy, bad };
    level tone = level::busy;
    std::string text;  ///< "Connected as ann", "Reconnecting in 3 s (connection refused)"
};

/// The status of `model` at `now`.
connection_status describe_connection(const client::chat_model& model, unix_ms now);

/// Whole seconds until `at`, rounded up, never negative: what a countdown shows.
long long seconds_until(unix_ms at, unix_ms now);

}  // namespace parley::ui
