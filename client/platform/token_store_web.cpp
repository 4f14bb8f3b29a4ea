// The web token store: the page origin's localStorage (the origin is the server, so the
// URL argument is not needed). Storage may be disabled (private mode, policies): then
// nothing is remembered and the user signs in again next time.
#include "token_store.hpp"

#include <emscripten.h>

#include <cstdlib>

// EM_JS declares extern "C" functions: at file scope, outside any namespace.
// Returns a malloc'ed UTF-8 copy of the saved token, or 0; the caller frees it.
EM_JS(char*, parley_token_get, (), {
    try {
        var value = window.localStorage.getItem("parley.token");
        return value ? allocateUTF8(value) : 0;
    } catch (e) {
        return 0;
    }
});

// Saves `token` (empty removes it); 1 on success.
EM_JS(int, parley_token_set, (const char* token), {
    try {
        var value = UTF8ToString(token);
        if (value) window.localStorage.setItem("parley.token", value);
        else window.localStorage.removeItem("parley.token");
        return 1;
    } catch (e) {
        return 0;
    }
});

namespace parley::platform {

std::string load_token(const std::string& server_url) {
    (void)server_url;
    char* raw = parley_token_get();
    if (!raw) return {};
    std::string token(raw);
    std::free(raw);
    return token;
}

bool save_token(const std::string& server_url, const std::string& token) {
    (void)server_url;
    return parley_token_set(token.c_str()) == 1;
}

}  // namespace parley::platform
