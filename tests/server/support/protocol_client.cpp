#include "protocol_client.hpp"

#include <stdexcept>

namespace parley::test {

std::optional<server_message> protocol_client::next(std::chrono::milliseconds timeout) {
    auto text = next_text(timeout);
    if (!text) return std::nullopt;
    auto decoded = decode_server_message(*text);
    if (!decoded) throw std::runtime_error("server sent an undecodable frame: " + *text);
    return std::move(decoded).value();
}

connection_info protocol_client::read_welcome() {
    auto hello = next_of<connection_info>();
    if (!hello) throw std::runtime_error("no connection frame");
    if (!next_of<joined_notice>()) throw std::runtime_error("no joined frame");
    if (!next_of<history_page>()) throw std::runtime_error("no history frame");
    return *hello;
}

identity_result protocol_client::identify(const std::string& name) {
    send(client_frame{identity_request{name}, std::nullopt});
    auto answer = next_of<identity_result>();
    if (!answer) throw std::runtime_error("no identity answer");
    return *answer;
}

}  // namespace parley::test
