// The browser's text entry for ImGui's fields: input methods (Chinese, Japanese, Korean,
// a phone keyboard's suggestions), dictation and accessibility tools deliver text to a
// focused DOM text field, never as key presses on a canvas. So while an ImGui text field
// is active, an invisible <textarea> sits at its caret with the keyboard focus: the
// keys still reach GLFW (its listeners are on the window), a composition in progress
// is shown in the textarea itself, made visible over the caret, and the text it commits
// (`compositionend`, or an `input` of type insertText that no key press produced, which is
// what touch keyboards and CDP's Input.insertText send) is typed into ImGui.

#include "imgui_backend.hpp"

#include <emscripten.h>
#include <imgui.h>

namespace {

// clang-format off
EM_JS(void, parley_text_field_install, (), {
    var field = document.createElement('textarea');
    field.id = 'parley-text-field';
    field.setAttribute('aria-label', 'Text input');
    field.setAttribute('autocomplete', 'off');
    field.setAttribute('autocapitalize', 'off');
    field.setAttribute('spellcheck', 'false');
    field.setAttribute('rows', '1');
    field.className = 'parley-text-field';
    document.body.appendChild(field);
    var keyPressed = false;
    var deliver = function(text) {
        if (!text) return;
        var size = lengthBytesUTF8(text) + 1;
        var buffer = _malloc(size);
        stringToUTF8(text, buffer, size);
        _parley_on_text_input(buffer);
        _free(buffer);
    };
    var reset = function() { field.value = ''; field.classList.remove('composing'); };
    // An ordinary key press types through GLFW's keypress listener; the textarea's copy of
    // that character is dropped.
    field.addEventListener('keypress', function() { keyPressed = true; }, true);
    field.addEventListener('compositionstart', function() { field.classList.add('composing'); });
    field.addEventListener('compositionend', function(event) { deliver(event.data); reset(); keyPressed = false; });
    field.addEventListener('input', function(event) {
        if (event.isComposing || event.inputType === 'insertCompositionText') return;
        var typed = keyPressed;
        keyPressed = false;
        if (!typed && (event.inputType === 'insertText' || event.inputType === 'insertReplacementText'))
            deliver(event.data);
        reset();
    });
    Module['parleyTextField'] = field;
});
// Focuses the field (at the caret, in CSS pixels) while ImGui wants text, gives the focus
// back to the canvas when it no longer does.
EM_JS(void, parley_text_field_sync, (int wanted, float x, float y, float line_height), {
    var field = Module['parleyTextField'];
    if (!field) return;
    var ratio = window.devicePixelRatio || 1;
    field.style.left = (x / ratio) + 'px';
    field.style.top = (y / ratio) + 'px';
    field.style.height = Math.max(1, line_height / ratio) + 'px';
    if (wanted && document.activeElement !== field) field.focus({preventScroll: true});
    if (!wanted && document.activeElement === field) Module['canvas'].focus({preventScroll: true});
});
// clang-format on

/// Where ImGui last put the caret of the active field (screen pixels).
ImVec2 caret{0.0f, 0.0f};

void on_caret_moved(int x, int y) {
    caret = ImVec2(static_cast<float>(x), static_cast<float>(y));
}

}  // namespace

/// Called by the page's text field with committed text (UTF-8); main thread.
extern "C" EMSCRIPTEN_KEEPALIVE void parley_on_text_input(const char* text) {
    ImGui::GetIO().AddInputCharactersUTF8(text);
}

namespace parley::platform {

void install_text_field() {
    ImGui::GetIO().ImeSetInputScreenPosFn = on_caret_moved;
    parley_text_field_install();
}

void sync_text_field() {
    const ImGuiIO& io = ImGui::GetIO();
    parley_text_field_sync(io.WantTextInput ? 1 : 0, caret.x, caret.y, ImGui::GetTextLineHeight());
}

}  // namespace parley::platform
