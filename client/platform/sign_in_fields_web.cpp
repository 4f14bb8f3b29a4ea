// The page's sign-in form (sign_in_fields.hpp): two inputs with the autocomplete roles
// password managers look for, over the ImGui fields they stand for, invisible and deaf to
// the pointer (the canvas under them takes clicks). Their values mirror ImGui's each frame;
// the text entry (text_field_web.cpp) types what they commit into ImGui and reports a fill.

#include "sign_in_fields.hpp"

#include <emscripten.h>

#include "main_loop.hpp"

#include <utility>

namespace {

parley::platform::sign_in_fill pending_fill;
GLFWwindow* sign_in_window = nullptr;

// clang-format off
EM_JS(void, parley_sign_in_install, (), {
    var form = document.createElement('form');
    form.id = 'parley-sign-in';
    form.className = 'parley-sign-in';
    form.setAttribute('aria-label', 'Sign in to Parley');
    form.addEventListener('submit', function(event) { event.preventDefault(); });
    var make = function(id, type, autocomplete, label, which) {
        var input = document.createElement('input');
        input.id = id;
        input.type = type;
        input.name = autocomplete === 'username' ? 'username' : 'password';
        input.setAttribute('autocomplete', autocomplete);
        input.setAttribute('aria-label', label);
        input.setAttribute('autocapitalize', 'off');
        input.setAttribute('spellcheck', 'false');
        input.className = 'parley-text-entry';
        form.appendChild(input);
        Module['parleyAttachTextEntry'](input, true, function(value) {
            var buffer = allocateUTF8(value);
            _parley_on_sign_in_fill(which, buffer);
            _free(buffer);
        });
        return input;
    };
    var name = make('parley-user', 'text', 'username', 'Your name', 0);
    var password = make('parley-password', 'password', 'current-password', 'Password', 1);
    var submit = document.createElement('button');
    submit.type = 'submit';
    submit.tabIndex = -1;
    submit.textContent = 'Sign in';
    form.appendChild(submit);
    document.body.appendChild(form);
    Module['parleySignIn'] = {form: form, name: name, password: password};
});
EM_JS(void, parley_sign_in_sync, (int shown, int active, const float* rects, const char* name, const char* password), {
    var state = Module['parleySignIn'];
    if (!state) return;
    state.form.style.display = shown ? 'block' : 'none';
    Module['parleyActiveField'] = !shown ? null : active === 1 ? state.name : active === 2 ? state.password : null;
    if (!shown) return;
    var ratio = window.devicePixelRatio || 1;
    var place = function(input, at) {
        input.style.left = (HEAPF32[(rects >> 2) + at] / ratio) + 'px';
        input.style.top = (HEAPF32[(rects >> 2) + at + 1] / ratio) + 'px';
        input.style.width = (HEAPF32[(rects >> 2) + at + 2] / ratio) + 'px';
        input.style.height = (HEAPF32[(rects >> 2) + at + 3] / ratio) + 'px';
    };
    place(state.name, 0);
    place(state.password, 4);
    var nameValue = UTF8ToString(name), passwordValue = UTF8ToString(password);
    if (state.name.value !== nameValue) state.name.value = nameValue;
    if (state.password.value !== passwordValue) state.password.value = passwordValue;
});
EM_JS(void, parley_sign_in_submit, (), {
    var state = Module['parleySignIn'];
    // A password manager offers to save what a submitted form held; the submit does
    // nothing else (the handler prevents it).
    if (state && state.form.requestSubmit) state.form.requestSubmit();
});
// clang-format on

}  // namespace

/// Called by the page's sign-in form with the whole value a fill put in field `which`
/// (0 name, 1 password); main thread. The next frame (sync_sign_in_fields) takes it.
extern "C" EMSCRIPTEN_KEEPALIVE void parley_on_sign_in_fill(int which, const char* value) {
    (which == 0 ? pending_fill.name : pending_fill.password) = std::string(value);
    parley::platform::main_loop::input_arrived(sign_in_window);
}

namespace parley::platform {

void install_sign_in_fields(GLFWwindow* window) {
    sign_in_window = window;
    parley_sign_in_install();
}

sign_in_fill sync_sign_in_fields(const sign_in_frame& frame) {
    float rects[8];
    for (int i = 0; i < 4; ++i) {
        rects[i] = frame.name_rect[i];
        rects[4 + i] = frame.password_rect[i];
    }
    const int active = frame.active == sign_in_frame::field::name       ? 1
                       : frame.active == sign_in_frame::field::password ? 2
                                                                        : 0;
    parley_sign_in_sync(frame.shown ? 1 : 0, active, rects, frame.name.c_str(), frame.password.c_str());
    return std::exchange(pending_fill, {});
}

void sign_in_submitted() {
    parley_sign_in_submit();
}

}  // namespace parley::platform
