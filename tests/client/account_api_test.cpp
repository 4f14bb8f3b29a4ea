// The platform-independent part of account_api: reply parsing and the URL helpers.
#include "model/account_api.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace parley::client;

TEST_CASE("a login reply yields token, user and role") {
    const account_reply reply = parse_account_reply(200, R"({"token":"t1","user":"ann","role":"admin"})", "");
    CHECK(reply.ok());
    CHECK(reply.token == "t1");
    CHECK(reply.user == "ann");
    CHECK(reply.role == "admin");
    CHECK(reply.error.empty());
}

TEST_CASE("a refusal carries the server's error text") {
    const account_reply reply = parse_account_reply(409, R"({"error":"the name is taken"})", "");
    CHECK_FALSE(reply.ok());
    CHECK(reply.error == "the name is taken");
}

TEST_CASE("a throttled reply carries Retry-After seconds") {
    CHECK(parse_account_reply(429, R"({"error":"slow down"})", "30").retry_after_s == 30);
    CHECK(parse_account_reply(429, "", "soon").retry_after_s == 0);
}

TEST_CASE("a failed reply without a JSON body names its status") {
    const account_reply reply = parse_account_reply(502, "<html>bad gateway</html>", "");
    CHECK(reply.error == "the server answered 502");
    CHECK(parse_account_reply(204, "", "").error.empty());
}

TEST_CASE("the HTTP base follows the WebSocket scheme and drops the path") {
    CHECK(http_base_of("ws://127.0.0.1:8080") == "http://127.0.0.1:8080");
    CHECK(http_base_of("wss://chat.example/general?x=1") == "https://chat.example");
    CHECK(http_base_of("http://h:1") == "http://h:1");
}

TEST_CASE("credentials are a JSON object, escaped") {
    const auto json = nlohmann::json::parse(credentials_body("ann", "p\"w\\d"));
    CHECK(json["user"] == "ann");
    CHECK(json["password"] == "p\"w\\d");
}
