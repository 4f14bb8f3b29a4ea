// The browser clipboard. Emscripten 3.1.6's GLFW stubs its clipboard out, so copying goes
// to navigator.clipboard, and pasting arrives as the page's `paste` event, whose text is
// typed into whatever ImGui widget has focus (reading the clipboard on Ctrl+V itself would
// need a permission prompt and an await that ImGui's frame cannot make).

#include "imgui_backend.hpp"

#include <imgui.h>
#include <emscripten.h>

namespace {

EM_JS(void, parley_clipboard_write, (const char* text), {
    var value = UTF8ToString(text);
    if (navigator.clipboard && navigator.clipboard.writeText)
        navigator.clipboard.writeText(value).catch(function() {});
});

EM_JS(void, parley_listen_for_paste, (), {
    document.addEventListener('paste', function(event) {
        var text = (event.clipboardData || window.clipboardData).getData('text');
        if (!text) return;
        event.preventDefault();
        var size = lengthBytesUTF8(text) + 1;
        var buffer = _malloc(size);
        stringToUTF8(text, buffer, size);
        _parley_on_paste(buffer);
        _free(buffer);
    });
});

void set_clipboard(void*, const char* text) { parley_clipboard_write(text); }
// Ctrl+V in ImGui reads this; the paste event supplies the text instead.
const char* get_clipboard(void*) { return ""; }

}  // namespace

/// Called by the page's paste listener with the pasted text (UTF-8); main thread.
extern "C" EMSCRIPTEN_KEEPALIVE void parley_on_paste(const char* text) {
    ImGui::GetIO().AddInputCharactersUTF8(text);
}

namespace parley::platform {

void install_clipboard() {
    ImGuiIO& io = ImGui::GetIO();
    io.SetClipboardTextFn = set_clipboard;
    io.GetClipboardTextFn = get_clipboard;
    parley_listen_for_paste();
}

}  // namespace parley::platform
