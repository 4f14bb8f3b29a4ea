// libFuzzer harness: the decoder clients run on every frame the server sends
// (decode_server_message, used by the native and browser clients). A hostile or broken
// server must not crash a client. Properties: no crash on any bytes, and a message that
// decodes survives encode -> decode unchanged.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "parley/core/codec.hpp"
#include "parley/core/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const parley::result<parley::server_message> decoded = parley::decode_server_message(input);
    if (!decoded) {
        PARLEY_FUZZ_CHECK(parley::is_valid_utf8(decoded.error().message), "error message is UTF-8");
        return 0;
    }
    const std::string encoded = parley::encode(decoded.value());
    PARLEY_FUZZ_CHECK(parley::is_valid_utf8(encoded), "encoding is UTF-8");
    const parley::result<parley::server_message> again = parley::decode_server_message(encoded);
    PARLEY_FUZZ_CHECK(again.ok(), "an encoded server message decodes");
    PARLEY_FUZZ_CHECK(parley::encode(again.value()) == encoded, "decode(encode(message)) == message");
    PARLEY_FUZZ_CHECK(parley::type_name(again.value()) == parley::type_name(decoded.value()),
                      "round trip keeps the type");
    return 0;
}
