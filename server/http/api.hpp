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

/// The bearer token of an `Authorization: Bearer <token>` value, or empty.
std::string bearer_token(std::string_view authorization);

}  // namespace parley::server
