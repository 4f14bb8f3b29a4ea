#include "http/route.hpp"

#include <doctest/doctest.h>

#include <boost/beast/http/string_body.hpp>

namespace bhttp = boost::beast::http;
using parley::server::route;
using parley::server::route_of;

namespace {

bhttp::request<bhttp::string_body> request(bhttp::verb method, std::string_view target, bool upgrade = false) {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (upgrade) {
        req.set(bhttp::field::connection, "Upgrade");
        req.set(bhttp::field::upgrade, "websocket");
    }
    return req;
}

}  // namespace

TEST_CASE("route_of sends /api and everything under it to the API, for any method") {
    for (const bhttp::verb method : {bhttp::verb::get, bhttp::verb::post, bhttp::verb::delete_}) {
        for (const char* target : {"/api", "/api/login", "/api/register?x=1", "/api/", "/api?x"}) {
            CAPTURE(target);
            CHECK(route_of(request(method, target)) == route::api);
        }
    }
}

TEST_CASE("route_of sends pages, files, health and metrics to the router") {
    for (const char* target : {"/", "/general", "/apix", "/ap", "/parley.js", "/healthz", "/metrics",
                               "/x/api", "/%2e%2e/secret"}) {
        CAPTURE(target);
        CHECK(route_of(request(bhttp::verb::get, target)) == route::page);
    }
}

TEST_CASE("route_of sends an upgrade to the WebSocket path whatever its target, /api included") {
    CHECK(route_of(request(bhttp::verb::get, "/general", true)) == route::websocket);
    CHECK(route_of(request(bhttp::verb::get, "/api", true)) == route::websocket);
    CHECK(route_of(request(bhttp::verb::get, "/healthz", true)) == route::websocket);
    // Only a GET upgrades: a POST with the headers is an ordinary request.
    CHECK(route_of(request(bhttp::verb::post, "/api/login", true)) == route::api);
}
