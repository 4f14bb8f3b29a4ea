#include "ws/handshake.hpp"

#include <openssl/evp.h>

#include <array>
#include <string_view>

namespace parley::server::ws {

namespace {

/// Appended to the key before hashing (RFC 6455 section 1.3).
constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

std::string accept_key(std::string_view sec_websocket_key) {
    std::string input;
    input.reserve(sec_websocket_key.size() + websocket_guid.size());
    input.append(sec_websocket_key).append(websocket_guid);

    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_size = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha1(), nullptr) != 1)
        return {};

    // EVP_EncodeBlock writes 4 characters per 3 bytes and a terminating NUL.
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> encoded{};
    const int size = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest_size));
    if (size <= 0) return {};
    return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(size));
}

bool is_valid_client_key(std::string_view key) {
    // 16 bytes are 22 base64 characters (132 bits, the last 4 unused) and "==".
    if (key.size() != 24 || key.substr(22) != "==") return false;
    for (std::size_t i = 0; i < 22; ++i) {
        if (!is_base64_char(key[i])) return false;
    }
    // The last character carries 2 data bits; its 4 low bits must be zero: A, Q, g or w.
    const char last = key[21];
    return last == 'A' || last == 'Q' || last == 'g' || last == 'w';
}

}  // namespace parley::server::ws
