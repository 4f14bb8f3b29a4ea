#pragma once
// The framing checks RFC 9112 asks of a server that Beast's parser leaves open. Beast refuses
// two different Content-Lengths and a Content-Length after a chunked Transfer-Encoding, but it
// reads "Transfer-Encoding: gzip" (last coding not chunked) as a request without a body, takes
// "chunked, chunked" as no body either, accepts a Content-Length after a non-chunked
// Transfer-Encoding, and does not ask for Host. Each of those lets a front proxy and this
// server disagree on where a request ends (request smuggling). A pure function of the parsed
// header, so it is tested without sockets.

#include <optional>
#include <string>

#include <boost/beast/http/fields.hpp>

namespace parley::server {

/// Why a request's framing is refused: the HTTP status and a one-line reason for the body.
/// The connection is closed after the answer: where this request ends is in doubt.
struct framing_problem {
    unsigned status = 400;
    std::string reason;
};

/// Checks a request header (`version` as Beast gives it: 10 for HTTP/1.0, 11 for HTTP/1.1):
/// - HTTP/1.1 without Host, or any request with more than one Host: 400 (RFC 9112 3.2);
/// - Transfer-Encoding together with Content-Length: 400 (RFC 9112 6.1, 6.3);
/// - Transfer-Encoding in an HTTP/1.0 request: 400 (RFC 9112 6.1: its framing is faulty);
/// - Transfer-Encoding whose last coding is not chunked, or chunked twice: 400 (RFC 9112 6.1, 6.3);
/// - another coding before the final chunked ("gzip, chunked"): 501, which no part of the
///   server decodes (RFC 9112 6.1).
/// nullopt for a request whose framing is sound. Any thread.
std::optional<framing_problem> check_request_framing(const boost::beast::http::fields& fields,
                                                     unsigned version);

}  // namespace parley::server
