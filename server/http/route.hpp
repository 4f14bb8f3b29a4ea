#pragma once
// Where one HTTP request goes: decided once per request, here, and nowhere else. The HTTP
// session (net/http_session.cpp) switches on the answer; the handlers behind it do not
// route again.

#include <boost/beast/http/message.hpp>

namespace parley::server {

/// The three ways a request can go.
enum class route {
    websocket,  ///< an upgrade: net/upgrade.hpp checks it, then a ws_session takes the socket
    api,        ///< `/api` and `/api/...`, any method: http/api.hpp, answered by the account worker
    page,       ///< everything else: http/router.hpp (files, deep links, /healthz, /metrics)
};

/// Whether `req` asks for a WebSocket: a GET whose Connection lines name "upgrade" and whose
/// Upgrade lines name "websocket" (tokens, case-insensitive, in any of the header's lines, so a
/// request that splits them over repeated headers is still seen as an upgrade and checked).
/// Any thread.
bool is_websocket_upgrade(const boost::beast::http::request_header<>& req);

/// The route of `req`, in this order: an upgrade is a WebSocket whatever its path (its
/// checks refuse a path that names no channel; `api` is reserved, so an upgrade to `/api` is
/// refused there with 400); else a path of `/api` or under `/api/` is the API; else a page.
/// Any thread.
route route_of(const boost::beast::http::request_header<>& req);

}  // namespace parley::server
