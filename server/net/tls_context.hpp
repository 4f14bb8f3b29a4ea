#pragma once
// The server's TLS settings: the certificate chain and key an operator gave, loaded once at
// start-up into the context every TLS connection is made from.

#include <filesystem>

#include <boost/asio/ssl/context.hpp>

namespace parley::server {

/// A TLS server context holding the PEM certificate chain in `cert` and the unencrypted PEM
/// private key in `key`, with modern settings (TLS 1.2 and later, OpenSSL's default ciphers,
/// no compression, no renegotiation, no client certificates). Start-up only: a missing,
/// unreadable or malformed file, or a key that does not match the certificate, throws
/// std::runtime_error with one line naming the file and what is wrong with it.
boost::asio::ssl::context make_tls_context(const std::filesystem::path& cert,
                                           const std::filesystem::path& key);

}  // namespace parley::server
