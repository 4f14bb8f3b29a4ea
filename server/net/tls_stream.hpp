#pragma once
// The stream type of a TLS connection, named once. Beast and OpenSSL headers: include it
// only from the session sources that need it, not from widely included headers.

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace parley::server {

/// A TLS connection: Beast's ssl_stream (it copies a gather write into few TLS records,
/// where Asio's ssl::stream would make one record per buffer) over a tcp_stream, whose
/// deadline bounds the handshake.
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

}  // namespace parley::server
