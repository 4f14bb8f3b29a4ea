#include "ws/handshake.hpp"

#include <doctest/doctest.h>

namespace ws = parley::server::ws;

TEST_CASE("accept key of the RFC 6455 example") {
    // RFC 6455 section 1.3 (and an independent SHA-1 + base64 computation) give this value.
    CHECK(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK(ws::accept_key("wDqumtseNBJdhkihL6PW7w==") == "0FFP+2nmNIf/h+4BP36k9uzrYGk=");
}

TEST_CASE("accept key differs per key and is 28 characters") {
    const std::string a = ws::accept_key("AAAAAAAAAAAAAAAAAAAAAA==");
    const std::string b = ws::accept_key("AAAAAAAAAAAAAAAAAAAAAQ==");
    CHECK(a.size() == 28);
    CHECK(b.size() == 28);
    CHECK(a != b);
}

TEST_CASE("client key must be the base64 of 16 bytes") {
    CHECK(ws::is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
    CHECK(ws::is_valid_client_key("+/+/+/+/+/+/+/+/+/+/+w=="));
    CHECK(ws::is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAA=="));
}

TEST_CASE("client key is refused when malformed") {
    for (const char* bad : {
             "",
             "dGhlIHNhbXBsZSBub25jZQ=",    // 23 characters
             "dGhlIHNhbXBsZSBub25jZQ===",  // 25 characters
             "dGhlIHNhbXBsZSBub25jZQAA",   // no padding
             "dGhlIHNhbXBsZSBub25jZ===",   // 15 bytes
             "dGhlIHNhbXBsZSBub25jZQ=A",   // padding not at the end
             "dGhlIHNhbXBsZSBub2*jZQ==",   // not base64
             "dGhlIHNhbXBsZSBub25jZ-==",   // base64url is not base64
             " dGhlIHNhbXBsZSBub25jZQ=",   // whitespace
             "dGhlIHNhbXBsZSBub25jZR==",   // padding bits set: not canonical
             "dGhlIHNhbXBsZSBub25jZQZZ",   // garbage where padding belongs
         }) {
        CAPTURE(bad);
        CHECK_FALSE(ws::is_valid_client_key(bad));
    }
}
