// libFuzzer harness: core's decoder of client frames (what every WebSocket text message
// from the network goes through). Properties: decoding never throws or crashes on any
// bytes, and a frame that decodes survives encode -> decode unchanged.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "parley/core/codec.hpp"
#include "parley/core/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const parley::result<parley::client_frame> decoded = parley::decode_client_frame(input);
    if (!decoded) {
        // A refusal is answered to the client as an error frame: its text must be sendable.
        PARLEY_FUZZ_CHECK(parley::is_valid_utf8(decoded.error().message), "error message is UTF-8");
        if (decoded.error().ref) PARLEY_FUZZ_CHECK(parley::is_valid_utf8(*decoded.error().ref), "ref is UTF-8");
        return 0;
    }
    const std::string encoded = parley::encode(decoded.value());
    PARLEY_FUZZ_CHECK(parley::is_valid_utf8(encoded), "encoding is UTF-8");
    const parley::result<parley::client_frame> again = parley::decode_client_frame(encoded);
    PARLEY_FUZZ_CHECK(again.ok(), "an encoded client frame decodes");
    // Messages have no operator==; two frames are equal when their canonical encodings are.
    PARLEY_FUZZ_CHECK(parley::encode(again.value()) == encoded, "decode(encode(frame)) == frame");
    PARLEY_FUZZ_CHECK(parley::type_name(again.value().message) == parley::type_name(decoded.value().message),
                      "round trip keeps the type");
    return 0;
}
