#include "accounts/credentials.hpp"

#include <sodium.h>

namespace parley::server::accounts {
namespace {

// Interactive limits (libsodium's recommendation for online logins): 2 passes over
// 64 MiB, about 0.1 s here.
constexpr unsigned long long ops_limit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr std::size_t mem_limit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

std::string to_hex(const unsigned char* bytes, std::size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes, size);
    hex.pop_back();
    return hex;
}

const std::string& dummy_hash() {
    static const std::string hash = hash_password("parley dummy password").value_or(std::string());
    return hash;
}

}  // namespace

bool init_crypto() {
    if (sodium_init() < 0) return false;
    (void)dummy_hash();
    return true;
}

std::optional<std::string> hash_password(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), ops_limit, mem_limit) != 0) return std::nullopt;
    return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
    const std::string terminated(hash);  // libsodium reads a NUL-terminated string
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void verify_against_dummy(std::string_view password) { (void)verify_password(dummy_hash(), password); }

std::string new_token() {
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    return to_hex(bytes, sizeof bytes);
}

std::string token_hash(std::string_view token) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    return to_hex(digest, sizeof digest);
}

}  // namespace parley::server::accounts
