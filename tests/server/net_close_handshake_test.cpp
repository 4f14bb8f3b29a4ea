#include "net/close_handshake.hpp"

#include <doctest/doctest.h>

using parley::server::close_handshake;
using step = close_handshake::step;

TEST_CASE("close handshake, plain: the send side ends once our close frame is written, reads go on to EOF") {
    close_handshake c(false);
    CHECK(c.open());
    CHECK(c.reads());
    REQUIRE(c.begin());
    CHECK_FALSE(c.open());
    CHECK_FALSE(c.begin());  // once
    CHECK(c.close_written() == step::end_send);
    CHECK(c.reads());                       // the peer's close and EOF are still to come
    CHECK(c.peer_closed() == step::none);   // the send side already ended
    CHECK(c.reads());
    CHECK(c.finish());
    CHECK_FALSE(c.finish());
    CHECK_FALSE(c.reads());
}

TEST_CASE("close handshake, plain, peer first: its close is echoed, then the send side ends") {
    close_handshake c(false);
    CHECK(c.peer_closed() == step::none);
    CHECK(c.reads());
    REQUIRE(c.begin());
    CHECK(c.close_written() == step::end_send);
}

TEST_CASE("close handshake, TLS, we close first: close_notify waits for the peer's close frame") {
    close_handshake c(true);
    REQUIRE(c.begin());
    CHECK(c.close_written() == step::none);  // the peer's frame is not in yet
    CHECK(c.reads());
    CHECK(c.peer_closed() == step::end_send);
    CHECK_FALSE(c.reads());  // its last data; the shutdown reads its close_notify
}

TEST_CASE("close handshake, TLS, peer first: reads stop at its close, close_notify follows our echo") {
    close_handshake c(true);
    CHECK(c.peer_closed() == step::none);
    CHECK_FALSE(c.reads());
    REQUIRE(c.begin());
    CHECK(c.close_written() == step::end_send);
    CHECK(c.close_written() == step::none);  // once
}

TEST_CASE("close handshake: a session that finishes without a handshake has not begun, and cannot begin after") {
    close_handshake c(true);
    CHECK(c.finish());
    CHECK_FALSE(c.began());
    CHECK(c.finished());
    CHECK_FALSE(c.open());
    CHECK_FALSE(c.begin());
    CHECK(c.peer_closed() == step::none);
    CHECK(c.close_written() == step::none);
}
