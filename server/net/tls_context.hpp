#pragma once
// The server's TLS settings: the certificate chain and key an operator gave, loaded once at
// start-up into the context every TLS connection is made from.

#include <filesystem>

#include <boost/asio/ssl/context.hpp>

namespace parley::server {

/// A TLS server context holding the PEM certificate chain in `cert` and the unencrypted PEM
/// private key in `key`, with modern settings: TLS 1.3, and TLS 1.2 only with ECDHE key
/// exchange and AEAD ciphers (tls12_cipher_list; no static RSA, no CBC, no SHA-1 MACs); no
/// compression, no renegotiation, no client certificates. Start-up only: a missing,
/// unreadable or malformed file, or a key that does not match the certificate, throws
/// std::runtime_error with one line naming the file and what is wrong with it.
/// The TLS 1.2 cipher suites offered, in OpenSSL's names: ECDHE (forward secrecy) with
/// AES-GCM or ChaCha20-Poly1305 (AEAD), for ECDSA and RSA certificates. What Mozilla's
/// "intermediate" profile allows minus finite-field DHE (slow, and clients weak in it).
inline constexpr const char* tls12_cipher_list =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// The TLS 1.3 suites offered: all three that browsers use (every TLS 1.3 suite is AEAD
/// with ephemeral key exchange).
inline constexpr const char* tls13_ciphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

boost::asio::ssl::context make_tls_context(const std::filesystem::path& cert,
                                           const std::filesystem::path& key);

}  // namespace parley::server
