#include "accounts/account_db.hpp"

namespace parley::server::accounts {

std::string_view to_string(role r) { return r == role::admin ? "admin" : "user"; }

role role_from_text(std::string_view text) { return text == "admin" ? role::admin : role::user; }

}  // namespace parley::server::accounts
