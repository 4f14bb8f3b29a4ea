// The browser's text entry for ImGui's fields: input methods (Chinese, Japanese, Korean,
// a phone keyboard's suggestions), dictation and accessibility tools deliver text to a
// focused DOM text field, never as key presses on a canvas. So while an ImGui text field
// is active, an invisible <textarea> sits at its caret with the keyboard focus: the
// keys still reach GLFW (its listeners are on the window), a composition in progress
// is shown in the textarea itself, made visible over the caret, and the text it commits
// (`compositionend`, or an `input` of type insertText that no key press produced, which is
// what touch keyboards and CDP's Input.insertText send) is typed into ImGui. The start
// screen's name and password have real form fields of their own (sign_in_fields_web.cpp),
// which take the focus instead while they are edited.

#include "imgui_backend.hpp"

#include <emscripten.h>
#include <imgui.h>

#include "main_loop.hpp"

namespace {

// clang-format off
EM_JS(void, parley_text_field_install, (), {
    var deliver = function(text) {
        if (!text) return;
        var buffer = allocateUTF8(text);
        _parley_on_text_input(buffer);
        _free(buffer);
    };
    // Makes `field` a way in for text. An ordinary key press types through GLFW's keypress
    // listener, so the field's copy of that character is dropped; what the field commits
    // without one (a composition's end, a touch keyboard's or CDP's insertText) is typed
    // into ImGui. Other edits (Backspace, Delete) come to ImGui as keys. A `mirrored` field
    // holds the ImGui field's value, set each frame by its owner, and a value put in it
    // from outside (a password manager's fill: an input event of no input type) is handed
    // to `onFill` whole. Any other field is emptied after each input.
    Module['parleyAttachTextEntry'] = function(field, mirrored, onFill) {
        var keyPressed = false;
        var reset = function() { if (!mirrored) field.value = ''; field.classList.remove('composing'); };
        field.addEventListener('keypress', function() { keyPressed = true; }, true);
        field.addEventListener('compositionstart', function() { field.classList.add('composing'); });
        field.addEventListener('compositionend', function(event) { deliver(event.data); reset(); keyPressed = false; });
        field.addEventListener('input', function(event) {
            if (event.isComposing || event.inputType === 'insertCompositionText') return;
            var typed = keyPressed;
            keyPressed = false;
            if (!typed && (event.inputType === 'insertText' || (!mirrored && event.inputType === 'insertReplacementText')))
                deliver(event.data);
            else if (!typed && mirrored && onFill && (!event.inputType || event.inputType === 'insertReplacementText'))
                onFill(field.value);
            reset();
        });
    };
    var field = document.createElement('textarea');
    field.id = 'parley-text-field';
    field.setAttribute('aria-label', 'Message');
    field.setAttribute('autocomplete', 'off');
    field.setAttribute('autocapitalize', 'off');
    field.setAttribute('spellcheck', 'false');
    field.setAttribute('rows', '1');
    field.className = 'parley-text-field parley-text-entry';
    document.body.appendChild(field);
    Module['parleyAttachTextEntry'](field, false, null);
    Module['parleyTextField'] = field;
});
// Focuses the field (at the caret, in CSS pixels) while ImGui wants text, gives the focus
// back to the canvas when it no longer does.
EM_JS(void, parley_text_field_sync, (int wanted, float x, float y, float line_height), {
    // A field of the page's own (the sign-in form's) stands in for the active ImGui field.
    var field = Module['parleyActiveField'] || Module['parleyTextField'];
    if (!field) return;
    var ratio = window.devicePixelRatio || 1;
    if (field === Module['parleyTextField']) {  // the sign-in fields have places of their own
        field.style.left = (x / ratio) + 'px';
        field.style.top = (y / ratio) + 'px';
        field.style.height = Math.max(1, line_height / ratio) + 'px';
    }
    if (wanted && document.activeElement !== field) field.focus({preventScroll: true});
    var focused = document.activeElement;
    if (!wanted && focused && focused !== Module['canvas'] && focused.classList.contains('parley-text-entry'))
        Module['canvas'].focus({preventScroll: true});
});
EM_JS(void, parley_text_field_name, (const char* name), {
    var field = Module['parleyTextField'];
    var label = UTF8ToString(name) || 'Message';
    if (field && field.getAttribute('aria-label') !== label) field.setAttribute('aria-label', label);
});
// clang-format on

/// Where ImGui last put the caret of the active field (screen pixels).
ImVec2 caret{0.0f, 0.0f};
/// The window whose loop draws what the fields type (set once by install_text_field).
GLFWwindow* text_window = nullptr;

void on_caret_moved(int x, int y) {
    caret = ImVec2(static_cast<float>(x), static_cast<float>(y));
}

}  // namespace

/// Called with text to type into ImGui's active field (UTF-8): what the page's text fields
/// commit, and what is pasted (backend_extras_web.cpp); main thread.
extern "C" EMSCRIPTEN_KEEPALIVE void parley_on_text_input(const char* text) {
    ImGui::GetIO().AddInputCharactersUTF8(text);
    parley::platform::main_loop::input_arrived(text_window);
}

namespace parley::platform {

void install_text_field(GLFWwindow* window) {
    text_window = window;
    ImGui::GetIO().ImeSetInputScreenPosFn = on_caret_moved;
    parley_text_field_install();
}

void name_text_field(const std::string& name) {
    parley_text_field_name(name.c_str());
}

void sync_text_field() {
    const ImGuiIO& io = ImGui::GetIO();
    parley_text_field_sync(io.WantTextInput ? 1 : 0, caret.x, caret.y, ImGui::GetTextLineHeight());
}

}  // namespace parley::platform
