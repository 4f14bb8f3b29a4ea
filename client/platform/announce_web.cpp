// The page's live region: a visually hidden role="log" element, polite, that screen
// readers read as lines are added. Lines are added at most every 700 ms, together, so a
// burst of messages is one announcement rather than a stutter; the region keeps the last
// 20 so that it does not grow for ever.

#include "announce.hpp"

#include <emscripten.h>

namespace {

// clang-format off
EM_JS(void, parley_announce, (const char* line), {
    var state = Module['parleyLive'];
    if (!state) {
        var region = document.createElement('div');
        region.id = 'parley-live';
        region.className = 'parley-visually-hidden';
        region.setAttribute('role', 'log');
        region.setAttribute('aria-live', 'polite');
        region.setAttribute('aria-label', 'New messages');
        document.body.appendChild(region);
        state = Module['parleyLive'] = {region: region, pending: [], timer: 0};
    }
    state.pending.push(UTF8ToString(line));
    if (state.timer) return;
    state.timer = setTimeout(function() {
        state.timer = 0;
        state.pending.splice(0).forEach(function(text) {
            var entry = document.createElement('p');
            entry.textContent = text;
            state.region.appendChild(entry);
        });
        while (state.region.childNodes.length > 20) state.region.removeChild(state.region.firstChild);
    }, 700);
});
// clang-format on

}  // namespace

namespace parley::platform {

void announce(const std::string& line) {
    parley_announce(line.c_str());
}

}  // namespace parley::platform
