#pragma once
// Secrets: password hashes (Argon2id, libsodium) and session tokens (256 random bits,
// stored only as their SHA-256). Pure functions; any thread.

#include <optional>
#include <string>
#include <string_view>

namespace parley::server::accounts {

/// Initialises libsodium; call once at start-up. False when it cannot (no entropy source).
bool init_crypto();

/// The Argon2id hash of `password` in libsodium's self-describing string form, or nullopt
/// when hashing fails (out of memory). Costs ~0.1 s and 64 MiB: never on the event loop.
std::optional<std::string> hash_password(std::string_view password);

/// Whether `password` matches `hash` (constant time in the password).
bool verify_password(std::string_view hash, std::string_view password);

/// Spends the same work as verify_password on a fixed hash: a login for a name that does
/// not exist takes as long as one with a wrong password, so timing reveals nothing.
void verify_against_dummy(std::string_view password);

/// A fresh session token: 32 random bytes, hex (64 characters).
std::string new_token();

/// The stored form of a token: its SHA-256, hex. Tokens are random, so a fast hash is
/// enough; a leaked database does not hand out working tokens.
std::string token_hash(std::string_view token);

}  // namespace parley::server::accounts
