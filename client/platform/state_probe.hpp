#pragma once
// Lets end-to-end tests read what the client shows. The app publishes a JSON snapshot of
// its visible state; the browser build exports it to the page (parley_visible_state(),
// state_probe_web.cpp), the desktop build writes it to $PARLEY_STATE_FILE when that is set
// (state_probe_native.cpp). Without a reader it costs one comparison per frame.

#include <string>

namespace parley::platform {

/// Whether anything reads the snapshot; when false the app need not build one.
bool state_probe_enabled();

/// Publishes the latest snapshot (JSON). Main thread; called after a frame that changed it.
void publish_visible_state(std::string json);

}  // namespace parley::platform
