#include "transport/ws_url.hpp"

#include <doctest/doctest.h>

using parley::client::parse_ws_url;

TEST_CASE("parse_ws_url splits host, port and target") {
    auto u = parse_ws_url("ws://127.0.0.1:8080/general?since=5");
    REQUIRE(u);
    CHECK_FALSE(u->tls);
    CHECK(u->host == "127.0.0.1");
    CHECK(u->port == "8080");
    CHECK(u->target == "/general?since=5");
    CHECK(u->host_header() == "127.0.0.1:8080");
}

TEST_CASE("parse_ws_url fills in default ports and the root target") {
    auto u = parse_ws_url("wss://chat.example");
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->port == "443");
    CHECK(u->target == "/");
    CHECK(u->host_header() == "chat.example");
    auto q = parse_ws_url("ws://h?x=1");
    REQUIRE(q);
    CHECK(q->port == "80");
    CHECK(q->target == "/?x=1");
}

TEST_CASE("parse_ws_url reads bracketed IPv6 hosts") {
    auto u = parse_ws_url("ws://[::1]:9000/x");
    REQUIRE(u);
    CHECK(u->host == "::1");
    CHECK(u->port == "9000");
    CHECK(u->host_header() == "[::1]:9000");
}

TEST_CASE("parse_ws_url rejects what is not a WebSocket URL") {
    CHECK_FALSE(parse_ws_url("http://example.com/"));
    CHECK_FALSE(parse_ws_url("ws://"));
    CHECK_FALSE(parse_ws_url("ws://host:notaport/"));
    CHECK_FALSE(parse_ws_url("ws://host:70000/"));
    CHECK_FALSE(parse_ws_url("ws://user:pw@host/"));
    CHECK_FALSE(parse_ws_url("ws://[::1/"));
}
