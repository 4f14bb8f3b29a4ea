#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "log/log.hpp"

namespace parley::server {

namespace ssl = boost::asio::ssl;

namespace {

/// Certificate chains and keys are a few KB; the bound stops a wrong path (a disk image, a
/// device) from being read whole before it is found not to be PEM.
constexpr long max_pem_file_bytes = 1 << 20;

[[noreturn]] void fail(const std::string& text) {
    // Leave no stale errors behind for the next OpenSSL caller on this thread (tests go on).
    ERR_clear_error();
    throw std::runtime_error(text);
}

/// OpenSSL's reason for the last failure, "(no start line)", or "" when it gave none.
std::string openssl_reason() {
    const unsigned long code = ERR_peek_last_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    return reason ? std::string(" (") + reason + ")" : std::string();
}

std::string read_pem_file(const std::filesystem::path& path, std::string_view what) {
    const std::string name = "the TLS " + std::string(what) + " file " + path.string();
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(name + " is a directory");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) fail("cannot read " + name + ": " + std::strerror(errno));
    std::string text;
    char chunk[4096];
    std::size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) {
        text.append(chunk, n);
        if (text.size() > static_cast<std::size_t>(max_pem_file_bytes))
            fail(name + " is larger than 1 MiB: not a PEM file");
    }
    if (std::ferror(file.get())) fail("cannot read " + name + ": " + std::strerror(errno));
    return text;
}

/// The PEM password callback: none is given, so an encrypted key fails instead of OpenSSL
/// prompting on the terminal of a server that may have none.
int no_password(char*, int, int, void*) {
    return 0;
}

}  // namespace

ssl::context make_tls_context(const std::filesystem::path& cert, const std::filesystem::path& key) {
    const std::string cert_pem = read_pem_file(cert, "certificate");
    const std::string key_pem = read_pem_file(key, "key");

    ssl::context context(ssl::context::tls_server);
    SSL_CTX* handle = context.native_handle();
    ERR_clear_error();
    // TLS 1.0 and 1.1 are deprecated (RFC 8996); every browser speaks 1.2 or 1.3.
    if (SSL_CTX_set_min_proto_version(handle, TLS1_2_VERSION) != 1)
        fail("this OpenSSL cannot require TLS 1.2 or later" + openssl_reason());
    // The cipher policy (tls_context.hpp): forward secrecy and authenticated encryption only.
    // A client that offers nothing else (an ancient one) fails the handshake.
    if (SSL_CTX_set_cipher_list(handle, tls12_cipher_list) != 1)
        fail("this OpenSSL knows none of the TLS 1.2 cipher suites " + std::string(tls12_cipher_list) +
             openssl_reason());
    if (SSL_CTX_set_ciphersuites(handle, tls13_ciphersuites) != 1)
        fail("this OpenSSL knows none of the TLS 1.3 suites " + std::string(tls13_ciphersuites) +
             openssl_reason());
    // Compression leaks secrets (CRIME); renegotiation only ever served attacks here.
    SSL_CTX_set_options(handle,
                        SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_default_passwd_cb(handle, &no_password);

    boost::system::error_code ec;
    context.use_certificate_chain(boost::asio::buffer(cert_pem), ec);
    if (ec)
        fail("the TLS certificate file " + cert.string() + " holds no PEM certificate" + openssl_reason());

    std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())),
                                            &BIO_free);
    std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> pkey(
        bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_password, nullptr) : nullptr, &EVP_PKEY_free);
    if (!pkey)
        fail("the TLS key file " + key.string() + " holds no unencrypted PEM private key" + openssl_reason());
    if (SSL_CTX_use_PrivateKey(handle, pkey.get()) != 1 || SSL_CTX_check_private_key(handle) != 1)
        fail("the TLS key file " + key.string() + " does not match the certificate in " + cert.string() +
             openssl_reason());

    // An expired certificate still serves (the operator may be renewing it), but every
    // browser will refuse it: say so at start-up rather than leave it to the users.
    if (X509* leaf = SSL_CTX_get0_certificate(handle);
        leaf && X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0)
        log_warn("the TLS certificate in " + cert.string() + " has expired");
    ERR_clear_error();
    return context;
}

}  // namespace parley::server
