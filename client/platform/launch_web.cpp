// Browser launch: the page's location says everything (the server is the page's origin).

#include "launch.hpp"

#include <emscripten.h>

#include <cstdlib>
#include <memory>

namespace parley::platform {
namespace {

// Returns a malloc'ed UTF-8 copy of location[part]; the caller frees it.
// clang-format off
EM_JS(char*, parley_location_part, (const char* part), {
    var value = String(window.location[UTF8ToString(part)] || "");
    var size = lengthBytesUTF8(value) + 1;
    var buffer = _malloc(size);
    stringToUTF8(value, buffer, size);
    return buffer;
});
// clang-format on

// clang-format off
EM_JS(double, parley_crypto_random_u32, (), {
    var word = new Uint32Array(1);
    crypto.getRandomValues(word);
    return word[0];
});
// clang-format on

std::string location_part(const char* part) {
    const std::unique_ptr<char, decltype(&std::free)> text(parley_location_part(part), &std::free);
    return text ? std::string(text.get()) : std::string();
}

}  // namespace

std::variant<options::launch_settings, options::launch_exit> read_launch_settings(int, char**) {
    return options::settings_from_page(location_part("protocol"), location_part("host"),
                                   location_part("pathname"), location_part("search"));
}

// Puts the joined name into the address (?name=), so a reload joins again at once.
// clang-format off
EM_JS(void, parley_replace_query_name, (const char* name), {
    var url = new URL(window.location.href);
    url.searchParams.set('name', UTF8ToString(name));
    window.history.replaceState(null, document.title, url.toString());
});
// clang-format on

std::string remember_launch_settings(const options::launch_settings& settings) {
    if (!settings.name.empty()) parley_replace_query_name(settings.name.c_str());
    return {};
}

std::uint64_t random_seed() {
    return (static_cast<std::uint64_t>(parley_crypto_random_u32()) << 32) ^
           static_cast<std::uint64_t>(parley_crypto_random_u32());
}

}  // namespace parley::platform
