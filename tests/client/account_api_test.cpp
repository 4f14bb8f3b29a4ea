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

TEST_CASE("an audit reply yields its entries in order, every field kept") {
    const account_reply reply = parse_account_reply(200, R"({"entries":[
        {"id":7,"at":1700000000500,"actor":"root","action":"ban","target":"bob","channel":"","detail":"60 minutes",
         "address":"10.0.0.1"},
        {"id":6,"at":1700000000000,"actor":"root","action":"kick","target":"bob","channel":"lobby","detail":""}]})",
                                                    "");
    REQUIRE(reply.audit.size() == 2);
    CHECK(reply.audit[0].id == 7);
    CHECK(reply.audit[0].at == 1700000000500);
    CHECK(reply.audit[0].actor == "root");
    CHECK(reply.audit[0].action == "ban");
    CHECK(reply.audit[0].target == "bob");
    CHECK(reply.audit[0].channel.empty());
    CHECK(reply.audit[0].detail == "60 minutes");
    CHECK(reply.audit[0].address == "10.0.0.1");
    CHECK(reply.audit[1].action == "kick");
    CHECK(reply.audit[1].address.empty());  // a server before addresses were logged
    CHECK(reply.audit[1].channel == "lobby");
}

TEST_CASE("audit entries without id, time, actor or action are skipped, the rest kept") {
    const account_reply reply = parse_account_reply(200, R"({"entries":[
        {"at":1,"actor":"root","action":"kick"},
        {"id":2,"actor":"root","action":"kick"},
        {"id":3,"at":"yesterday","actor":"root","action":"kick"},
        {"id":4,"at":1,"action":"kick"},
        {"id":5,"at":1,"actor":"root"},
        "not an object",
        {"id":6,"at":1,"actor":"root","action":"kick","target":42},
        {"id":8,"at":2,"actor":"root","action":"delete","target":"9","channel":"lobby"}]})",
                                                    "");
    REQUIRE(reply.audit.size() == 2);
    CHECK(reply.audit[0].id == 6);
    CHECK(reply.audit[0].target.empty());  // not a string: left empty, the entry still shown
    CHECK(reply.audit[1].id == 8);
    CHECK(parse_account_reply(200, R"({"entries":"none"})", "").audit.empty());
    CHECK(parse_account_reply(403, R"({"error":"admins only"})", "").audit.empty());
}

TEST_CASE("the audit request asks for 1 to 1,000 entries") {
    CHECK(audit_target(50) == "/api/audit?limit=50");
    CHECK(audit_target(0) == "/api/audit?limit=1");
    CHECK(audit_target(-5) == "/api/audit?limit=1");
    CHECK(audit_target(5000) == "/api/audit?limit=1000");
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
