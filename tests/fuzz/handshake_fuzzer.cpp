// libFuzzer harness: the WebSocket upgrade checks (server/net/upgrade.hpp, server/ws/
// handshake.hpp) on requests built by Beast's request parser from arbitrary bytes, with
// the header limits the server sets. Also the header-value parsers the router runs on
// every request (server/http/header_values.hpp) and the Origin rule.
//
// Input layout: byte 0 chooses the context (bit 0: over TLS; bit 1: an allowed-origins
// list); the rest is what a client sent on the socket.
//
// Properties of an accepted upgrade: a joinable channel named by the path, version 13,
// a valid key, a resume point in range, an Origin that is the server's own or listed, and
// a well-formed 101 answer carrying the RFC 6455 accept value (no header injection).

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "http/header_values.hpp"
#include "http/limits.hpp"
#include "http/origin.hpp"
#include "http/request_framing.hpp"
#include "net/upgrade.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "ws/handshake.hpp"

namespace http = boost::beast::http;
namespace server = parley::server;

namespace {

constexpr std::string_view server_name = "parley-fuzz";

/// Every line of `response` ends in CRLF and no CR or LF appears elsewhere.
bool well_formed_lines(std::string_view response) {
    while (!response.empty()) {
        const auto end = response.find("\r\n");
        if (end == std::string_view::npos) return false;
        if (response.substr(0, end).find_first_of("\r\n") != std::string_view::npos) return false;
        response.remove_prefix(end + 2);
    }
    return true;
}

void check_accepted(const server::upgrade_accepted& accepted, const server::upgrade_request& request,
                    const std::vector<std::string>& allowed) {
    // The path ends at the first '?' or '#' (a '?' inside a fragment starts no query).
    const std::string_view path = request.target.substr(0, request.target.find_first_of("?#"));
    const auto channel = parley::channel_from_path(path);
    PARLEY_FUZZ_CHECK(channel && *channel == accepted.channel, "the channel is the one the path names");
    PARLEY_FUZZ_CHECK(parley::is_valid_channel_name(accepted.channel), "the channel is joinable");
    PARLEY_FUZZ_CHECK(request.version == "13", "only version 13 upgrades");
    PARLEY_FUZZ_CHECK(server::ws::is_valid_client_key(request.key), "only a valid key upgrades");
    if (accepted.since)
        PARLEY_FUZZ_CHECK(*accepted.since >= 0 && *accepted.since <= parley::limits::max_message_id,
                          "since is a message id");
    if (!request.origin.empty()) {
        bool listed = parley::same_name(request.origin, std::string(request.tls ? "https://" : "http://") +
                                                            std::string(request.host));
        for (const auto& entry : allowed) listed = listed || parley::same_name(request.origin, entry);
        PARLEY_FUZZ_CHECK(listed, "a foreign Origin never upgrades");
    }
    const std::string accept = server::ws::accept_key(request.key);
    PARLEY_FUZZ_CHECK(accept.size() == 28, "the accept value is 28 characters");
    PARLEY_FUZZ_CHECK(accepted.response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"), "a 101 answer");
    PARLEY_FUZZ_CHECK(accepted.response.find("\r\nSec-WebSocket-Accept: " + accept + "\r\n") != std::string::npos,
                      "the answer carries the accept value");
    PARLEY_FUZZ_CHECK(accepted.response.ends_with("\r\n\r\n"), "the answer ends its header block");
    PARLEY_FUZZ_CHECK(well_formed_lines(accepted.response), "no header injection in the 101 answer");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool tls = (data[0] & 1) != 0;
    std::vector<std::string> allowed;
    if ((data[0] & 2) != 0) allowed = {"https://chat.example.org", "http://localhost:5173"};

    // The server's parser settings (server/net/http_session.cpp).
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(server::http_limits::max_request_header_bytes));
    parser.body_limit(server::http_limits::max_request_body_bytes);
    boost::system::error_code ec;
    const char* p = reinterpret_cast<const char*>(data + 1);
    std::size_t left = size - 1;
    while (left > 0 && !parser.is_done()) {
        const std::size_t used = parser.put(boost::asio::buffer(p, left), ec);
        p += used;
        left -= used;
        if (ec == http::error::need_more) {
            ec = {};
            break;
        }
        if (ec || used == 0) break;
    }
    // The connection ends here (Beast asserts that put_eof follows some input).
    if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
    if (!parser.is_header_done()) return 0;

    const http::request<http::string_body>& req = parser.get();
    const server::upgrade_request view = server::upgrade_view_of(req, req.target(), req.version(), tls);
    const auto checked = server::check_upgrade(view, allowed, server_name);
    if (const auto* accepted = std::get_if<server::upgrade_accepted>(&checked)) {
        check_accepted(*accepted, view, allowed);
    } else {
        const auto& refused = std::get<server::upgrade_refused>(checked);
        PARLEY_FUZZ_CHECK(refused.status >= 400 && refused.status < 500, "a refusal is a 4xx");
        PARLEY_FUZZ_CHECK(!refused.reason.empty() && parley::is_valid_utf8(refused.reason), "a refusal says why");
    }
    PARLEY_FUZZ_CHECK(server::ws::accept_key(view.key).size() == 28, "accept_key works on any key");

    // The framing checks every request goes through: a refusal is a 4xx or 501 with a reason.
    if (const auto problem = server::check_request_framing(req, req.version()))
        PARLEY_FUZZ_CHECK((problem->status == 400 || problem->status == 501) && !problem->reason.empty(),
                          "a framing refusal is 400 or 501 and says why");

    // The other header parsers the router runs on every request: no crash on any value.
    (void)server::accepts_gzip(req[http::field::accept_encoding]);
    (void)server::if_none_match_matches(req[http::field::if_none_match], "\"0123456789abcdef0123456789abcdef\"");
    return 0;
}
