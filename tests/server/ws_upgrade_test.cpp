#include "net/upgrade.hpp"

#include "http/route.hpp"

#include <doctest/doctest.h>

#include <string>
#include <variant>

namespace bhttp = boost::beast::http;
using parley::server::check_upgrade;
using parley::server::is_websocket_upgrade;
using parley::server::repeated_handshake_header;
using parley::server::upgrade_accepted;
using parley::server::upgrade_refused;
using parley::server::upgrade_request;

namespace {

/// The request of RFC 6455 1.2, for the channel path `target`.
upgrade_request good(std::string_view target = "/general") {
    upgrade_request r;
    r.target = target;
    r.host = "server.example.com";
    r.version = "13";
    r.key = "dGhlIHNhbXBsZSBub25jZQ==";
    return r;
}

/// The refusal's status, or 101 when the request may upgrade.
unsigned status_of(const upgrade_request& r) {
    const auto checked = check_upgrade(r, {}, "parley/test");
    if (const auto* refused = std::get_if<upgrade_refused>(&checked)) return refused->status;
    return 101;
}

std::optional<std::int64_t> since_of(std::string_view target) {
    const auto checked = check_upgrade(good(target), {}, "parley/test");
    const auto* accepted = std::get_if<upgrade_accepted>(&checked);
    REQUIRE(accepted != nullptr);
    return accepted->since;
}

/// A request header with the handshake fields of RFC 6455 4.1 plus `extra` lines.
bhttp::request_header<> handshake(std::initializer_list<std::pair<bhttp::field, std::string>> extra = {}) {
    bhttp::request_header<> req;
    req.method(bhttp::verb::get);
    req.target("/chat");
    req.version(11);
    req.insert(bhttp::field::host, "server.example.com");
    req.insert(bhttp::field::upgrade, "websocket");
    req.insert(bhttp::field::connection, "Upgrade");
    req.insert(bhttp::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.insert(bhttp::field::origin, "http://example.com");
    req.insert(bhttp::field::sec_websocket_version, "13");
    for (const auto& [name, value] : extra) req.insert(name, value);
    return req;
}

}  // namespace

TEST_CASE("upgrade: the RFC 6455 example request upgrades with its accept key") {
    const auto checked = check_upgrade(good(), {}, "parley/test");
    const auto* accepted = std::get_if<upgrade_accepted>(&checked);
    REQUIRE(accepted != nullptr);
    CHECK(accepted->channel == "general");
    CHECK(accepted->response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") !=
          std::string::npos);
    CHECK(!accepted->since);
}

TEST_CASE("upgrade: RFC 6455 4.2.1 item 1, an HTTP/1.0 request is 400") {
    auto r = good();
    r.http_version = 10;
    CHECK(status_of(r) == 400);
    r.http_version = 11;
    CHECK(status_of(r) == 101);
}

TEST_CASE("upgrade: RFC 6455 4.2.1 item 2, a request without Host is 400") {
    auto r = good();
    r.host = "";
    CHECK(status_of(r) == 400);
}

TEST_CASE("upgrade: a repeated handshake header is 400 (RFC 6455 4.2.1, 11.3.1, 11.3.5)") {
    auto r = good();
    r.repeated_header = "Sec-WebSocket-Key";
    const auto checked = check_upgrade(r, {}, "parley/test");
    const auto* refused = std::get_if<upgrade_refused>(&checked);
    REQUIRE(refused != nullptr);
    CHECK(refused->status == 400);
    CHECK(refused->reason.find("Sec-WebSocket-Key") != std::string::npos);
}

TEST_CASE("repeated_handshake_header names each once-only header given twice") {
    CHECK(repeated_handshake_header(handshake()) == "");
    // 11.3.1: "The Sec-WebSocket-Key header field MUST NOT appear more than once in an HTTP request."
    CHECK(repeated_handshake_header(handshake(
              {{bhttp::field::sec_websocket_key, "AAAAAAAAAAAAAAAAAAAAAA=="}})) == "Sec-WebSocket-Key");
    // 11.3.5: the same of Sec-WebSocket-Version in a request ("13" and "12").
    CHECK(repeated_handshake_header(handshake({{bhttp::field::sec_websocket_version, "12"}})) ==
          "Sec-WebSocket-Version");
    CHECK(repeated_handshake_header(handshake({{bhttp::field::sec_websocket_version, "13"}})) ==
          "Sec-WebSocket-Version");
    CHECK(repeated_handshake_header(handshake({{bhttp::field::host, "evil.example"}})) == "Host");
    CHECK(repeated_handshake_header(handshake({{bhttp::field::origin, "http://evil.example"}})) == "Origin");
    CHECK(repeated_handshake_header(handshake({{bhttp::field::upgrade, "websocket"}})) == "Upgrade");
    CHECK(repeated_handshake_header(handshake({{bhttp::field::connection, "keep-alive"}})) == "Connection");
    // 11.3.2 and 11.3.4: Sec-WebSocket-Extensions and -Protocol MAY appear more than once.
    CHECK(repeated_handshake_header(handshake({{bhttp::field::sec_websocket_protocol, "chat"},
                                               {bhttp::field::sec_websocket_protocol, "superchat"}})) == "");
    CHECK(repeated_handshake_header(handshake({{bhttp::field::sec_websocket_extensions, "a"},
                                               {bhttp::field::sec_websocket_extensions, "b"}})) == "");
}

TEST_CASE("is_websocket_upgrade reads the tokens of every Connection and Upgrade line") {
    CHECK(is_websocket_upgrade(handshake()));
    auto split = handshake();
    split.erase(bhttp::field::connection);
    split.insert(bhttp::field::connection, "keep-alive");
    split.insert(bhttp::field::connection, "Upgrade");
    CHECK(is_websocket_upgrade(split));  // seen as an upgrade, so the repeat is refused
    auto firefox = handshake();
    firefox.set(bhttp::field::connection, "keep-alive, Upgrade");
    CHECK(is_websocket_upgrade(firefox));
    auto post = handshake();
    post.method(bhttp::verb::post);
    CHECK(!is_websocket_upgrade(post));
    auto no_upgrade = handshake();
    no_upgrade.erase(bhttp::field::upgrade);
    CHECK(!is_websocket_upgrade(no_upgrade));
}

TEST_CASE("upgrade: since is a canonical decimal message id") {
    CHECK(since_of("/general?since=0") == 0);
    CHECK(since_of("/general?since=10") == 10);
    CHECK(since_of("/general?token=x&since=9007199254740991") == 9007199254740991LL);
    CHECK(since_of("/general?since=%31%32") == 12);           // percent-decoded first
    CHECK(since_of("/general?nosince=007") == std::nullopt);  // another parameter entirely
    for (const char* target :
         {"/general?since=-0", "/general?since=007", "/general?since=00", "/general?since=+1",
          "/general?since=", "/general?since", "/general?since=1&since=2", "/general?since=9007199254740992",
          "/general?since=1%", "/general?since=%2D0", "/general?since=1.0", "/general?since= 1"}) {
        CAPTURE(target);
        CHECK(status_of(good(target)) == 400);
    }
}

TEST_CASE("upgrade: a repeated token parameter is 400") {
    CHECK(status_of(good("/general?token=a&token=b")) == 400);
}
