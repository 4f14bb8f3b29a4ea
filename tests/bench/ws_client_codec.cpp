#include "ws_client_codec.hpp"

#include <array>
#include <cstring>

namespace parley::bench {
namespace {

std::string base64(const unsigned char* data, std::size_t size) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (std::size_t i = 0; i < size; i += 3) {
        const std::uint32_t b0 = data[i];
        const std::uint32_t b1 = i + 1 < size ? data[i + 1] : 0;
        const std::uint32_t b2 = i + 2 < size ? data[i + 2] : 0;
        const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += i + 1 < size ? alphabet[(v >> 6) & 63] : '=';
        out += i + 2 < size ? alphabet[v & 63] : '=';
    }
    return out;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = text[i];
        char b = prefix[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
        if (a != b) return false;
    }
    return true;
}

// Whether the response head has an `Upgrade: websocket` header (any case, any spacing).
bool has_websocket_upgrade(std::string_view head) {
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        const std::size_t start = pos + 2;
        const std::size_t end = head.find("\r\n", start);
        std::string_view line =
            head.substr(start, end == std::string_view::npos ? head.size() - start : end - start);
        if (iequals_prefix(line, "upgrade:")) {
            line.remove_prefix(8);
            while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
            return iequals_prefix(line, "websocket");
        }
        pos = end;
    }
    return false;
}

}  // namespace

std::string make_upgrade_request(std::string_view host_port, std::string_view path, std::uint64_t key_seed) {
    std::array<unsigned char, 16> key{};
    // splitmix64: any 16 bytes will do, they only need to differ between connections.
    for (std::size_t i = 0; i < key.size(); i += 8) {
        key_seed += 0x9E3779B97F4A7C15ULL;
        std::uint64_t z = key_seed;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        std::memcpy(key.data() + i, &z, 8);
    }
    std::string out;
    out.reserve(192);
    out += "GET ";
    out += path;
    out += " HTTP/1.1\r\nHost: ";
    out += host_port;
    out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
    out += base64(key.data(), key.size());
    out += "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    return out;
}

upgrade_status parse_upgrade_response(std::string_view bytes, std::size_t& head_length,
                                      std::string_view& status_line) {
    const std::size_t end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) return upgrade_status::incomplete;
    head_length = end + 4;
    const std::string_view head = bytes.substr(0, end + 2);
    status_line = head.substr(0, head.find("\r\n"));
    const bool switching =
        status_line.size() >= 12 && status_line.substr(0, 5) == "HTTP/" && status_line.substr(8, 4) == " 101";
    return switching && has_websocket_upgrade(head) ? upgrade_status::accepted : upgrade_status::refused;
}

void append_client_frame(std::string& out, ws_opcode opcode, std::string_view payload, std::uint32_t mask) {
    const std::size_t size = payload.size();
    const std::size_t start = out.size();
    std::size_t header = 2 + 4;
    if (size > 0xFFFF)
        header += 8;
    else if (size > 125)
        header += 2;
    out.resize(start + header + size);
    auto* p = reinterpret_cast<unsigned char*>(out.data() + start);
    *p++ = static_cast<unsigned char>(0x80 | static_cast<unsigned>(opcode));
    if (size > 0xFFFF) {
        *p++ = 0x80 | 127;
        for (int shift = 56; shift >= 0; shift -= 8) *p++ = static_cast<unsigned char>(size >> shift);
    } else if (size > 125) {
        *p++ = 0x80 | 126;
        *p++ = static_cast<unsigned char>(size >> 8);
        *p++ = static_cast<unsigned char>(size);
    } else {
        *p++ = static_cast<unsigned char>(0x80 | size);
    }
    const std::array<unsigned char, 4> key = {
        static_cast<unsigned char>(mask >> 24), static_cast<unsigned char>(mask >> 16),
        static_cast<unsigned char>(mask >> 8), static_cast<unsigned char>(mask)};
    std::memcpy(p, key.data(), 4);
    p += 4;
    for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<unsigned char>(payload[i]) ^ key[i & 3];
}

header_status parse_server_frame_header(std::string_view bytes, server_frame_header& header) {
    if (bytes.size() < 2) return header_status::incomplete;
    const auto b0 = static_cast<unsigned char>(bytes[0]);
    const auto b1 = static_cast<unsigned char>(bytes[1]);
    // No extension is negotiated, so RSV bits must be clear; servers never mask (RFC 6455, 5.1).
    if ((b0 & 0x70) != 0 || (b1 & 0x80) != 0) return header_status::invalid;
    const unsigned op = b0 & 0x0F;
    if ((op > 0x2 && op < 0x8) || op > 0xA) return header_status::invalid;
    header.fin = (b0 & 0x80) != 0;
    header.opcode = static_cast<ws_opcode>(op);
    std::uint64_t length = b1 & 0x7F;
    std::size_t pos = 2;
    if (length == 126) {
        if (bytes.size() < 4) return header_status::incomplete;
        length =
            (std::uint64_t{static_cast<unsigned char>(bytes[2])} << 8) | static_cast<unsigned char>(bytes[3]);
        pos = 4;
    } else if (length == 127) {
        if (bytes.size() < 10) return header_status::incomplete;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | static_cast<unsigned char>(bytes[i]);
        pos = 10;
        if (length >> 63) return header_status::invalid;
    }
    // Control frames are short and never fragmented (RFC 6455, 5.5).
    if (op >= 0x8 && (length > 125 || !header.fin)) return header_status::invalid;
    header.header_length = pos;
    header.payload_length = length;
    return header_status::ok;
}

}  // namespace parley::bench
