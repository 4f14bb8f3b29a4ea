#include "raw_ws_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>

#include "parley/core/text.hpp"

namespace parley::test {

namespace {

using clock = std::chrono::steady_clock;

/// A valid Sec-WebSocket-Key (RFC 6455's example); the server only checks its form.
constexpr std::string_view client_key = "dGhlIHNhbXBsZSBub25jZQ==";

int remaining_ms(clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

std::string encode_frame(std::uint8_t opcode, bool fin, std::uint64_t length, std::string_view payload) {
    static thread_local std::mt19937 random{std::random_device{}()};
    std::string out;
    out += static_cast<char>((fin ? 0x80 : 0x00) | (opcode & 0x0F));
    if (length < 126) {
        out += static_cast<char>(0x80 | length);
    } else if (length <= 0xFFFF) {
        out += static_cast<char>(0x80 | 126);
        out += static_cast<char>((length >> 8) & 0xFF);
        out += static_cast<char>(length & 0xFF);
    } else {
        out += static_cast<char>(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((length >> shift) & 0xFF);
    }
    char key[4];
    for (char& k : key) k = static_cast<char>(random() & 0xFF);
    out.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) out += static_cast<char>(payload[i] ^ key[i & 3]);
    return out;
}

}  // namespace

std::string encode_client_frame(std::uint8_t opcode, std::string_view payload, bool fin) {
    return encode_frame(opcode, fin, payload.size(), payload);
}

raw_ws_client::raw_ws_client(unsigned short port, std::string target,
                             std::vector<std::pair<std::string, std::string>> headers, raw_options options) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    if (options.receive_buffer_bytes > 0)
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer_bytes, sizeof options.receive_buffer_bytes);
    // Writes are blocking but bounded: a test never hangs on a peer that stopped reading.
    timeval send_timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error("connect: " + why);
    }

    std::vector<std::pair<std::string, std::string>> fields = {
        {"Host", "127.0.0.1:" + std::to_string(port)},
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Key", std::string(client_key)},
        {"Sec-WebSocket-Version", "13"},
    };
    for (auto& [name, value] : headers) {
        bool replaced = false;
        for (auto& field : fields) {
            if (same_name(field.first, name)) {
                field.second = value;
                replaced = true;
            }
        }
        if (!replaced) fields.emplace_back(name, value);
    }
    std::string request = "GET " + target + " HTTP/1.1\r\n";
    for (const auto& [name, value] : fields)
        if (!value.empty()) request += name + ": " + value + "\r\n";
    request += "\r\n";
    send_bytes(request + options.after_request);

    const auto deadline = clock::now() + 3s;
    std::size_t end = std::string::npos;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
        if (!fill(deadline)) break;
    if (end == std::string::npos) {
        response_ = std::move(in_);
        in_.clear();
    } else {
        response_ = in_.substr(0, end + 4);
        in_.erase(0, end + 4);
    }
    if (response_.starts_with("HTTP/1.") && response_.size() >= 12)
        status_ = std::atoi(response_.substr(9, 3).c_str());
    if (status_ != 101) {
        // A refusal: keep its body for the test to read; the server closes after it.
        const auto body_deadline = clock::now() + 1s;
        while (fill(body_deadline)) {}
        response_ += in_;
        in_.clear();
    }
}

raw_ws_client::~raw_ws_client() {
    if (fd_ >= 0) ::close(fd_);
}

bool raw_ws_client::send_bytes(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool raw_ws_client::send_frame(std::uint8_t opcode, std::string_view payload, bool fin) {
    return send_bytes(encode_frame(opcode, fin, payload.size(), payload));
}

bool raw_ws_client::send_header_only(std::uint8_t opcode, std::uint64_t length, bool fin) {
    return send_bytes(encode_frame(opcode, fin, length, {}));
}

bool raw_ws_client::fill(clock::time_point deadline) {
    if (eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready <= 0) return false;
    char chunk[16 * 1024];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
        if (n < 0 && errno == EINTR) return true;
        eof_ = true;
        return false;
    }
    in_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

std::optional<raw_frame> raw_ws_client::next_frame(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    for (;;) {
        if (in_.size() >= 2) {
            const auto b0 = static_cast<std::uint8_t>(in_[0]);
            const auto b1 = static_cast<std::uint8_t>(in_[1]);
            std::size_t header = 2;
            std::uint64_t length = b1 & 0x7F;
            if (length == 126) header = 4;
            if (length == 127) header = 10;
            const bool masked = (b1 & 0x80) != 0;
            if (masked) header += 4;
            if (in_.size() >= header) {
                if (length == 126) {
                    length = (std::uint64_t{static_cast<std::uint8_t>(in_[2])} << 8) | static_cast<std::uint8_t>(in_[3]);
                } else if (length == 127) {
                    length = 0;
                    for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<std::uint8_t>(in_[i]);
                }
                if (in_.size() >= header + length) {
                    raw_frame frame;
                    frame.opcode = b0 & 0x0F;
                    frame.fin = (b0 & 0x80) != 0;
                    frame.payload = in_.substr(header, static_cast<std::size_t>(length));
                    if (masked)
                        for (std::size_t i = 0; i < frame.payload.size(); ++i)
                            frame.payload[i] = static_cast<char>(frame.payload[i] ^ in_[header - 4 + (i & 3)]);
                    in_.erase(0, header + static_cast<std::size_t>(length));
                    return frame;
                }
            }
        }
        if (!fill(deadline)) return std::nullopt;
    }
}

std::optional<std::string> raw_ws_client::next_text(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    while (!close_code_) {
        auto frame = next_frame(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()));
        if (!frame) return std::nullopt;
        switch (frame->opcode) {
            case 0x1:
                if (frame->payload.starts_with(R"({"type":"heartbeat")")) {
                    send_text(R"({"type":"heartbeat"})");
                    continue;
                }
                return std::move(frame->payload);
            case 0x8: {
                close_code_ = frame->payload.size() >= 2
                                  ? static_cast<std::uint16_t>((static_cast<std::uint8_t>(frame->payload[0]) << 8) |
                                                               static_cast<std::uint8_t>(frame->payload[1]))
                                  : std::uint16_t{1005};
                if (!close_answered_) {
                    close_answered_ = true;
                    send_frame(0x8, frame->payload.substr(0, 2));
                }
                return std::nullopt;
            }
            case 0x9:
                send_frame(0xA, frame->payload);
                continue;
            case 0xA:
                continue;
            default:
                throw std::runtime_error("server sent an unexpected frame, opcode " + std::to_string(frame->opcode));
        }
    }
    return std::nullopt;
}

std::optional<server_message> raw_ws_client::next(std::chrono::milliseconds timeout) {
    auto text = next_text(timeout);
    if (!text) return std::nullopt;
    auto decoded = decode_server_message(*text);
    if (!decoded) throw std::runtime_error("server sent an undecodable frame: " + *text);
    return std::move(decoded).value();
}

connection_info raw_ws_client::read_welcome() {
    auto hello = next_of<connection_info>();
    if (!hello) throw std::runtime_error("no connection frame");
    if (!next_of<joined_notice>()) throw std::runtime_error("no joined frame");
    if (!next_of<history_page>()) throw std::runtime_error("no history frame");
    return *hello;
}

identity_result raw_ws_client::identify(const std::string& name) {
    send(client_frame{identity_request{name}, std::nullopt});
    auto answer = next_of<identity_result>();
    if (!answer) throw std::runtime_error("no identity answer");
    return *answer;
}

std::optional<std::uint16_t> raw_ws_client::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    while (!close_code_ && !eof_ && clock::now() < deadline)
        next_text(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()));
    if (close_code_) return close_code_;
    if (eof_) return std::uint16_t{1006};
    return std::nullopt;
}

}  // namespace parley::test
