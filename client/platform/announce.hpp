#pragma once
// Tells assistive technology about something new on screen that it cannot see in the
// canvas: in the browser the line goes to the page's aria-live region (announce_web.cpp),
// which screen readers read out; natively nothing yet (ImGui draws no accessibility tree).

#include <string>

namespace parley::platform {

/// Announces `line` (UTF-8). Main thread.
void announce(const std::string& line);

}  // namespace parley::platform
