// What Emscripten 3.1.6's GLFW gets wrong or lacks for ImGui in the browser.
//
// Clipboard: GLFW's is stubbed out, so copying goes to navigator.clipboard, and pasting
// arrives as the page's `paste` event, whose text is typed into whatever ImGui widget has
// focus (reading the clipboard on Ctrl+V itself would need a permission prompt and an
// await that ImGui's frame cannot make).
//
// Mouse wheel: GLFW passes the DOM event's deltaY through unchanged, so a wheel turned up
// scrolls down, and by a hundred "notches" at a time. The wheel callback is replaced by
// one that flips the sign and converts the DOM units (pixels, lines, pages) to notches.

#include "imgui_backend.hpp"

#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>

namespace {

// clang-format off
EM_JS(void, parley_clipboard_write, (const char* text), {
    var value = UTF8ToString(text);
    if (navigator.clipboard && navigator.clipboard.writeText)
        navigator.clipboard.writeText(value).catch(function() {});
});
// clang-format on

// clang-format off
EM_JS(void, parley_listen_for_paste, (), {
    document.addEventListener('paste', function(event) {
        var text = (event.clipboardData || window.clipboardData).getData('text');
        if (!text) return;
        event.preventDefault();
        var buffer = allocateUTF8(text);
        _parley_on_text_input(buffer);  // typed like committed text (text_field_web.cpp)
        _free(buffer);
    });
});
// clang-format on

// Remembers each wheel event's deltaMode (0 pixels, 1 lines, 2 pages), which GLFW drops.
// clang-format off
EM_JS(void, parley_track_wheel_mode, (), {
    Module['parleyWheelMode'] = 0;
    Module['canvas'].addEventListener('wheel', function(event) { Module['parleyWheelMode'] = event.deltaMode; }, true);
});
EM_JS(int, parley_wheel_mode, (), { return Module['parleyWheelMode'] | 0; });
// clang-format on

/// DOM wheel units per notch of a desktop wheel: browsers send 100 px (or 3 lines) a notch.
double units_per_notch(int mode) {
    return mode == 0 ? 100.0 : mode == 1 ? 3.0 : 1.0;
}

void on_scroll(GLFWwindow* window, double dx, double dy) {
    const double per_notch = units_per_notch(parley_wheel_mode());
    ImGui_ImplGlfw_ScrollCallback(window, -dx / per_notch, -dy / per_notch);
}

void set_clipboard(void*, const char* text) {
    parley_clipboard_write(text);
}
// Ctrl+V in ImGui reads this; the paste event supplies the text instead.
const char* get_clipboard(void*) {
    return "";
}

}  // namespace

namespace parley::platform {

void install_backend_extras(GLFWwindow* window) {
    ImGuiIO& io = ImGui::GetIO();
    io.SetClipboardTextFn = set_clipboard;
    io.GetClipboardTextFn = get_clipboard;
    parley_listen_for_paste();
    parley_track_wheel_mode();
    // In place of ImGui's wheel callback, which on_scroll calls with corrected values; it
    // still chains to the main loop's, so the wheel still wakes a frame.
    glfwSetScrollCallback(window, on_scroll);
}

}  // namespace parley::platform
