#pragma once
// Accounts over HTTP (POST /api/register, /api/login, /api/logout, GET /api/audit). Two sibling
// implementations are chosen by the build (account_api_native.cpp on Beast,
// account_api_web.cpp on the browser's fetch); both run callbacks on the UI thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/transport.hpp"
#include "parley/core/messages.hpp"

namespace parley::client {

/// One moderation action from GET /api/audit (docs/protocol.md, "Accounts").
struct audit_entry {
    std::int64_t id = 0;
    unix_ms at = 0;      ///< when it happened, Unix ms
    std::string actor;   ///< the admin who did it
    std::string action;  ///< "kick", "ban", "delete", "edit"
    std::string target;   ///< the user acted on; for edit and delete, the message id
    std::string channel;  ///< empty for a ban
    std::string detail;   ///< e.g. "60 minutes" for a ban; often empty
    std::string address;  ///< the client address the request came from; empty for the CLI
};

/// What one account request came back with.
struct account_reply {
    /// The HTTP status; 0 when no answer arrived (refused, timed out, bad TLS).
    int status = 0;
    /// The server's {"error"} text, or, with status 0, what went wrong on the way.
    std::string error;
    /// From a successful login: the session token, the account name and its role.
    std::string token;
    std::string user;
    std::string role;
    /// Seconds to wait, from Retry-After on a 429; 0 when absent.
    int retry_after_s = 0;
    /// From GET /api/audit: the entries, newest first. Malformed entries are skipped.
    std::vector<audit_entry> audit;

    /// A 2xx answer.
    bool ok() const { return status >= 200 && status < 300; }
};

/// Called once per request with its reply, on the UI thread.
using account_callback = std::function<void(account_reply)>;

/// Sends account requests to one server. Owned by the application; every method is
/// called from the UI thread. Destroying it drops the callbacks of unfinished requests.
class account_api {
public:
    virtual ~account_api() = default;

    /// POST /api/register {"user","password"}: 201 on success.
    virtual void register_account(const std::string& user, const std::string& password, account_callback done) = 0;
    /// POST /api/login {"user","password"}: 200 with token, user and role.
    virtual void login(const std::string& user, const std::string& password, account_callback done) = 0;
    /// POST /api/logout with the bearer `token`: 204, and the token stops working.
    virtual void logout(const std::string& token, account_callback done) = 0;
    /// GET /api/audit?limit=N with an admin's bearer `token`: 200 with the entries.
    virtual void audit(const std::string& token, int limit, account_callback done) = 0;
    /// Runs the callbacks of finished requests (natively; the browser runs them itself).
    /// Call once per frame.
    virtual void poll() = 0;
};

/// Turns a reply's status, body and Retry-After header into an account_reply. Pure; a
/// body that is not JSON leaves the fields empty (an error text names the status).
account_reply parse_account_reply(int status, std::string_view body, std::string_view retry_after);

/// The HTTP base of a WebSocket server URL: "ws://h:1" -> "http://h:1", "wss://h" ->
/// "https://h"; anything else unchanged. The path, if any, is dropped.
std::string http_base_of(std::string_view ws_url);

/// The request target of GET /api/audit for at most `limit` entries (clamped to 1..1000,
/// the server's range).
std::string audit_target(int limit);

/// The JSON body {"user","password"} of register and login.
std::string credentials_body(const std::string& user, const std::string& password);

/// The build's account_api. `base_url` is "http://host:port" or "https://host" natively;
/// on the web it is ignored (requests go to the page's own origin). `wake` runs when a
/// reply is ready (natively on another thread, so it must be thread-safe); may be empty.
/// Natively `tls` supplies ca_file and verify_peer for https://.
std::unique_ptr<account_api> make_account_api(std::string base_url, transport_options tls = {},
                                              std::function<void()> wake = {});

}  // namespace parley::client
