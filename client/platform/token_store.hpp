#pragma once
// Remembers the account's session token between runs. Natively a file,
// $XDG_CONFIG_HOME/parley/token (else ~/.config/parley/token), mode 0600, that also names
// the server so a token is never offered to another one; on the web the page origin's
// localStorage, which the browser already keeps per server.

#include <string>

namespace parley::platform {

/// The token saved for `server_url` ("ws://host:port"), or empty when none is saved, it
/// was saved for another server, or it cannot be read. UI thread.
std::string load_token(const std::string& server_url);

/// Saves `token` for `server_url`; an empty token forgets the saved one. False when it
/// could not be written (the session then lasts only this run). UI thread.
bool save_token(const std::string& server_url, const std::string& token);

}  // namespace parley::platform
