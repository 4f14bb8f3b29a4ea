#pragma once
// The /api endpoints (PROTOCOL.md, Accounts): register, login, logout, and the audit log
// for admins. Asynchronous, because password hashing runs on the account worker.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace parley::server {

namespace accounts {
class account_service;
}

/// What the API needs from the server. Borrowed; outlives every request.
struct api_context {
    accounts::account_service& accounts;
    const std::vector<std::string>& allowed_origins;
    std::string_view server_name;
    bool tls = false;
};

using api_response = boost::beast::http::response<boost::beast::http::string_body>;

/// Answers one /api request from `address`. `done` runs exactly once, on any thread (the
/// account worker, or the caller's for requests refused at once). Never throws.
void handle_api(boost::beast::http::request<boost::beast::http::string_body>&& req, const api_context& ctx,
                std::string address, std::function<void(api_response)> done);

/// One parameter of a request target's query, looked up by its exact (decoded) name.
struct query_parameter {
    bool ok = true;                   ///< false: the query is malformed (a bad %-escape) or
                                      ///< names the parameter twice
    std::optional<std::string> value; ///< percent-decoded ('+' is a space); nullopt: absent
};

/// Finds `name` in the query of `target` ("/api/audit?limit=5&x=1"): the query is split
/// on '&', each pair on its first '=', and both sides percent-decoded, so "nolimit=5" is
/// not "limit". Pure; any input.
query_parameter find_query_parameter(std::string_view target, std::string_view name);

/// A decimal number written canonically: digits only, no sign, no leading zero (but "0"
/// itself), at most 18 digits. nullopt for anything else ("05", "+5", "-0", " 5", "").
std::optional<std::int64_t> canonical_number(std::string_view text);

/// The bearer token of an `Authorization: Bearer <token>` value, or empty.
std::string bearer_token(std::string_view authorization);

}  // namespace parley::server
