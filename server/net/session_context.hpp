#pragma once
// What every session borrows from the server. Owned by the server; outlives all sessions.

#include <atomic>

#include "accounts/account_service.hpp"
#include "http/api.hpp"
#include "chat/hub.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"
#include "net/session_limits.hpp"

namespace boost::asio::ssl {
class context;
}

namespace parley::server {

class address_limiter;

/// Shared, read-mostly state handed to each session by reference.
struct session_context {
    session_limits limits;  ///< what the sessions allow (filled in from the flags by app/server.cpp)
    chat::hub& hub;
    server_metrics& metrics;
    const http_context& http;
    const api_context& api;
    accounts::account_service& accounts;
    std::atomic<bool>& stopping;  ///< set at shutdown: refuse new connections
    boost::asio::ssl::context* tls = nullptr;  ///< set when the port serves TLS (owned by the server)
    /// Open WebSocket connections per address (--max-connections-per-address); owned by the
    /// server. Null: not counted (no limit).
    address_limiter* connections_per_address = nullptr;
};

}  // namespace parley::server
