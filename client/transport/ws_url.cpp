#include "ws_url.hpp"

#include <algorithm>

namespace parley::client {

std::string ws_url::host_header() const {
    std::string header = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (tls ? "443" : "80")) header += ":" + port;
    return header;
}

std::optional<ws_url> parse_ws_url(std::string_view url) {
    ws_url out;
    if (url.substr(0, 5) == "ws://") {
        url.remove_prefix(5);
    } else if (url.substr(0, 6) == "wss://") {
        out.tls = true;
        url.remove_prefix(6);
    } else {
        return std::nullopt;
    }
    const std::size_t path_at = url.find_first_of("/?");
    std::string_view authority = url.substr(0, path_at);
    std::string_view rest = path_at == std::string_view::npos ? std::string_view() : url.substr(path_at);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no credentials in URLs

    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else {
        const std::size_t colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return std::nullopt;
    if (port.empty()) {
        out.port = out.tls ? "443" : "80";
    } else {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        if (std::stoi(std::string(port)) > 65535 || std::stoi(std::string(port)) == 0) return std::nullopt;
        out.port = std::string(port);
    }
    out.target = rest.empty() ? "/" : (rest.front() == '?' ? "/" + std::string(rest) : std::string(rest));
    return out;
}

}  // namespace parley::client
