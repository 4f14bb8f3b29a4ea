#include "http/request_framing.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <utility>

namespace bhttp = boost::beast::http;
using parley::server::check_request_framing;

namespace {

bhttp::fields make(std::initializer_list<std::pair<bhttp::field, std::string>> lines) {
    bhttp::fields f;
    for (const auto& [name, value] : lines) f.insert(name, value);
    return f;
}

/// The status check_request_framing gives, 0 when the framing is sound.
unsigned status_of(const bhttp::fields& f, unsigned version = 11) {
    const auto problem = check_request_framing(f, version);
    return problem ? problem->status : 0;
}

}  // namespace

TEST_CASE("framing: a plain request with Host, or with a chunked body, is sound") {
    CHECK(status_of(make({{bhttp::field::host, "a"}})) == 0);
    CHECK(status_of(make({{bhttp::field::host, "a"}, {bhttp::field::content_length, "5"}})) == 0);
    CHECK(status_of(make({{bhttp::field::host, "a"}, {bhttp::field::transfer_encoding, "chunked"}})) == 0);
    CHECK(status_of(make({{bhttp::field::host, "a"}, {bhttp::field::transfer_encoding, "CHUNKED"}})) == 0);
    CHECK(status_of(make({{bhttp::field::host, "a"}, {bhttp::field::transfer_encoding, " chunked ,"}})) == 0);
    // RFC 9112 3.2: a Host with an empty value is allowed (a target without authority).
    CHECK(status_of(make({{bhttp::field::host, ""}})) == 0);
}

TEST_CASE("framing: HTTP/1.1 without Host is 400 (RFC 9112 3.2); HTTP/1.0 may omit it") {
    CHECK(status_of(make({})) == 400);
    CHECK(status_of(make({{bhttp::field::content_length, "0"}})) == 400);
    CHECK(status_of(make({}), 10) == 0);
}

TEST_CASE("framing: more than one Host is 400 (RFC 9112 3.2)") {
    CHECK(status_of(make({{bhttp::field::host, "a"}, {bhttp::field::host, "b"}})) == 400);
    CHECK(status_of(make({{bhttp::field::host, "a"}, {bhttp::field::host, "a"}}), 10) == 400);
}

TEST_CASE("framing: Transfer-Encoding with Content-Length is 400 (RFC 9112 6.1)") {
    CHECK(status_of(make({{bhttp::field::host, "a"},
                          {bhttp::field::transfer_encoding, "chunked"},
                          {bhttp::field::content_length, "4"}})) == 400);
    CHECK(status_of(make({{bhttp::field::host, "a"},
                          {bhttp::field::content_length, "4"},
                          {bhttp::field::transfer_encoding, "gzip"}})) == 400);
}

TEST_CASE("framing: a last transfer coding other than chunked is 400 (RFC 9112 6.1)") {
    for (const char* te :
         {"gzip", "identity", "chunked, gzip", "", " , ", "chunkedx", "chunked;ext=1", "xchunked"}) {
        CAPTURE(te);
        CHECK(status_of(make({{bhttp::field::host, "a"}, {bhttp::field::transfer_encoding, te}})) == 400);
    }
    // Over two lines the codings are one list: chunked then gzip ends in gzip.
    CHECK(status_of(make({{bhttp::field::host, "a"},
                          {bhttp::field::transfer_encoding, "chunked"},
                          {bhttp::field::transfer_encoding, "gzip"}})) == 400);
}

TEST_CASE("framing: chunked applied twice is 400 (RFC 9112 6.1: MUST NOT apply chunked more than once)") {
    CHECK(status_of(make(
              {{bhttp::field::host, "a"}, {bhttp::field::transfer_encoding, "chunked, chunked"}})) == 400);
    CHECK(status_of(make({{bhttp::field::host, "a"},
                          {bhttp::field::transfer_encoding, "chunked"},
                          {bhttp::field::transfer_encoding, "chunked"}})) == 400);
}

TEST_CASE("framing: a coding before chunked that the server cannot decode is 501") {
    CHECK(status_of(make({{bhttp::field::host, "a"}, {bhttp::field::transfer_encoding, "gzip, chunked"}})) ==
          501);
    CHECK(status_of(make({{bhttp::field::host, "a"},
                          {bhttp::field::transfer_encoding, "gzip"},
                          {bhttp::field::transfer_encoding, "chunked"}})) == 501);
}

TEST_CASE("framing: Transfer-Encoding in HTTP/1.0 is 400 (RFC 9112 6.1: faulty framing)") {
    CHECK(status_of(make({{bhttp::field::transfer_encoding, "chunked"}}), 10) == 400);
}
