// Integration: accounts, tokens and moderation over real loopback sockets, tested the way
// an attacker would probe them (PROTOCOL.md Accounts; Details: Identity, Accounts, Origin).
#include "support/test_database.hpp"
#include "support/test_server.hpp"
#include "support/raw_ws_client.hpp"
#include "support/seed_account.hpp"
#include "support/server_process.hpp"
#include "support/test_client.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/account_db.hpp"
#include "accounts/credentials.hpp"
#include "parley/core/text.hpp"


using namespace parley;
using namespace parley::test;
namespace accounts = parley::server::accounts;
using nlohmann::json;

namespace {

constexpr std::string_view admin_name = "root";
constexpr std::string_view admin_password = "admin-password-1";

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

/// One HTTP answer, split.
struct http_reply {
    int status = 0;
    std::string head;
    std::string body;
    std::string raw;

    /// The value of header `name` (any case), empty when absent.
    std::string header(std::string_view name) const {
        const std::string folded = lower(head);
        const std::string key = "\r\n" + lower(std::string(name)) + ":";
        const auto at = folded.find(key);
        if (at == std::string::npos) return {};
        auto start = at + key.size();
        while (start < head.size() && head[start] == ' ') ++start;
        return head.substr(start, head.find("\r\n", start) - start);
    }
    json body_json() const { return json::parse(body, nullptr, false); }
};

/// `method target` with `body` and extra `headers` ("Name: value\r\n" lines) on a connection
/// the server is asked to close after answering.
http_reply http_call(unsigned short port, std::string_view method, std::string_view target, std::string_view body,
                     std::string_view headers = "") {
    std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                          std::to_string(port) + "\r\nConnection: close\r\n" + std::string(headers);
    if (method == "POST") request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n";
    request += body;
    http_reply reply;
    reply.raw = raw_exchange(port, request, 5s);
    reply.status = http_status(reply.raw);
    const auto end = reply.raw.find("\r\n\r\n");
    reply.head = end == std::string::npos ? reply.raw : reply.raw.substr(0, end + 2);
    reply.body = end == std::string::npos ? std::string() : reply.raw.substr(end + 4);
    return reply;
}

std::string credentials(std::string_view user, std::string_view password) {
    return json{{"user", user}, {"password", password}}.dump();
}

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

/// Adds a session token last used at `last_used` for account `account_id`; returns the token.
std::string seed_token(const std::filesystem::path& data, std::int64_t account_id, std::int64_t last_used) {
    auto db = open_test_accounts(data);
    const std::string token = accounts::new_token();
    REQUIRE(db->insert_token(accounts::token_hash(token), account_id, last_used));
    return token;
}

/// What a fixture's server is started with.
struct options {
    bool with_admin = false;  ///< seed `root` as an admin before the first start
    bool accounts_only = false;
    std::vector<std::string> allowed_origins;
    int registrations_per_hour = 0;  ///< 0: tests register as many accounts as they like
    std::int64_t max_messages_per_channel = 100'000;
};

options with_admin() {
    options o;
    o.with_admin = true;
    return o;
}
options accounts_only() {
    options o;
    o.accounts_only = true;
    return o;
}
options allowing(std::string origin) {
    options o;
    o.allowed_origins.push_back(std::move(origin));
    return o;
}

/// A server on a fresh data directory, which can be restarted on the same directory.
struct fixture {
    temp_dir dir;
    options opts;
    std::optional<test_server> server;

    explicit fixture(options o = {}) : opts(std::move(o)) {
        if (opts.with_admin) seed_account(data(), admin_name, admin_password, accounts::role::admin);
        start();
    }

    std::filesystem::path data() const { return dir.path() / "data"; }
    unsigned short port() const { return server->port(); }

    void start() {
        auto config = test_config(data());
        config.accounts_only = opts.accounts_only;
        config.allowed_origins = opts.allowed_origins;
        config.registrations_per_hour = opts.registrations_per_hour;
        config.max_messages_per_channel = opts.max_messages_per_channel;
        server.emplace(std::move(config));
    }
    /// Stops the server (its queued account work is finished first) and starts another.
    void restart() {
        server.reset();
        start();
    }

    http_reply post(std::string_view target, std::string_view body, std::string_view headers = "") {
        return http_call(port(), "POST", target, body, headers);
    }
    http_reply get(std::string_view target, std::string_view headers = "") {
        return http_call(port(), "GET", target, "", headers);
    }
    http_reply register_account(std::string_view name, std::string_view password) {
        return post("/api/register", credentials(name, password));
    }
    http_reply login(std::string_view name, std::string_view password) {
        return post("/api/login", credentials(name, password));
    }
    /// Registers `name` (REQUIREs 201).
    void register_ok(std::string_view name, std::string_view password) {
        const auto r = register_account(name, password);
        REQUIRE_MESSAGE(r.status == 201, r.raw);
    }
    /// Logs in (REQUIREs 200) and returns the token.
    std::string login_ok(std::string_view name, std::string_view password) {
        const auto r = login(name, password);
        REQUIRE_MESSAGE(r.status == 200, r.raw);
        const auto j = r.body_json();
        REQUIRE(j.is_object());
        REQUIRE(j.contains("token"));
        return j["token"].get<std::string>();
    }
    std::string admin_token() { return login_ok(admin_name, admin_password); }
    std::string own_origin() const { return "http://127.0.0.1:" + std::to_string(port()); }

    /// Waits (bounded) until the server holds `n` WebSocket connections: their closes are done.
    bool wait_connections(std::int64_t n) {
        const auto deadline = std::chrono::steady_clock::now() + 3s;
        while (server->metrics().connections_open.load() != n) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(5ms);
        }
        return true;
    }
};

/// The WebSocket target of `channel` opened with `token`.
std::string with_token(const std::string& token, std::string_view channel = "general") {
    return "/" + std::string(channel) + "?token=" + token;
}

/// A round trip on `c`'s connection: frames it sent earlier have been handled once it returns.
template <class Client>
void barrier(Client& c) {
    c.send(client_frame{channels_request{}, std::nullopt});
    REQUIRE(c.template next_of<channel_list>());
}

/// Waits for an `error` with `code` on `c`; false on timeout.
template <class Client>
bool got_error(Client& c, error_code code) {
    auto e = c.template next_of<error_notice>();
    return e && e->code == code;
}

/// The audit entries as the admin reads them.
json audit_entries(fixture& f, const std::string& token) {
    const auto r = f.get("/api/audit", bearer(token));
    REQUIRE_MESSAGE(r.status == 200, r.raw);
    const auto j = r.body_json();
    REQUIRE(j.contains("entries"));
    return j["entries"];
}

/// The string field `key` of `object`, empty when it is missing or not a string.
std::string text_field(const json& object, const char* key) {
    if (!object.is_object()) return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get_ref<const std::string&>() : std::string();
}

bool has_entry(const json& entries, std::string_view action, std::string_view actor, std::string_view target) {
    return std::any_of(entries.begin(), entries.end(), [&](const json& e) {
        return text_field(e, "action") == action && text_field(e, "actor") == actor && text_field(e, "target") == target;
    });
}

/// Runs the real binary with `args`, `PARLEY_ADMIN_PASSWORD` set to `password` when given,
/// and `stdin_text` on its standard input; killed after 10 s (code -1).
process_result run_cli(const fixture& f, std::vector<std::string> args, std::optional<std::string> password,
                       std::string_view stdin_text = "") {
    const auto in_path = f.dir.path() / "cli-stdin";
    const auto out_path = f.dir.path() / "cli-stdout";
    const auto err_path = f.dir.path() / "cli-stderr";
    std::ofstream(in_path, std::ios::binary) << stdin_text;

    c_strings argv = server_argv(std::move(args));
    std::vector<std::string> extra;
    if (password) extra.push_back("PARLEY_ADMIN_PASSWORD=" + *password);
    // The admin command administers the database the fixture's server uses.
    if (const auto postgres = test_postgres_for(f.data()); !postgres.empty())
        extra.push_back("PARLEY_POSTGRES=" + postgres);
    c_strings envp = environment_without_parley(std::move(extra));

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, server_binary(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE_MESSAGE(rc == 0, std::strerror(rc));

    process_result result;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    auto slurp = [](const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    };
    result.out = slurp(out_path);
    result.err = slurp(err_path);
    return result;
}

}  // namespace

// ------------------------------------------------------------------ register and login

TEST_CASE("accounts: register answers 201 and login answers a 256-bit token, the name and the role") {
    fixture f;
    const auto reg = f.register_account("Ann", "password-1");
    REQUIRE(reg.status == 201);
    CHECK(reg.header("Content-Type") == "application/json");
    CHECK(reg.body_json()["user"] == "Ann");
    const auto r = f.login("ann", "password-1");  // names are case-insensitive
    REQUIRE(r.status == 200);
    const auto j = r.body_json();
    CHECK(j["user"] == "Ann");
    CHECK(j["role"] == "user");
    const std::string token = j["token"].get<std::string>();
    CHECK(token.size() == 64);
    CHECK(std::all_of(token.begin(), token.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }));
    CHECK(r.header("Cache-Control") == "no-store");
    // A second login is a second, different token.
    CHECK(f.login_ok("Ann", "password-1") != token);
}

TEST_CASE("accounts: a wrong password and an unknown name get the same 401 and the same body") {
    fixture f;
    f.register_ok("ann", "password-1");
    const auto wrong = f.login("ann", "password-2");
    const auto unknown = f.login("nobody", "password-2");
    CHECK(wrong.status == 401);
    CHECK(unknown.status == 401);
    CHECK(wrong.body == unknown.body);
    CHECK(wrong.head == unknown.head);
    CHECK(wrong.body.find("token") == std::string::npos);
    // An invalid name or a password that could never be valid is the same failure.
    const auto invalid = f.login("not a name", "x");
    CHECK(invalid.status == 401);
    CHECK(invalid.body == wrong.body);
}

TEST_CASE("accounts: registering a taken name is 409, also in another case, and keeps the first password") {
    fixture f;
    f.register_ok("ann", "password-1");
    CHECK(f.register_account("ann", "password-2").status == 409);
    CHECK(f.register_account("ANN", "password-2").status == 409);
    CHECK(f.register_account("aNn", "password-2").status == 409);
    CHECK(f.login("ann", "password-2").status == 401);
    f.login_ok("ann", "password-1");
}

TEST_CASE("accounts: bad names are 400 and create nothing") {
    fixture f;
    for (const std::string& name : std::vector<std::string>{
             "", " ", "ann smith", " ann", "ann ", std::string(33, 'a'), "ännchen", "名前", "ann\tb", "ann\n",
             "a/b", "a@b", "a'--", "x\"; DROP TABLE accounts;--", "Robert'); DROP TABLE accounts;--", "a%20b",
             std::string("an\0n", 4)}) {
        CAPTURE(name);
        const auto r = f.register_account(name, "password-1");
        CHECK(r.status == 400);
        CHECK(r.body_json().contains("error"));
    }
    // The boundaries that are valid, and names of every allowed character.
    f.register_ok(std::string(32, 'a'), "password-1");
    f.register_ok("a", "password-1");
    f.register_ok("a.b-c_D.9", "password-1");
    f.login_ok("a.b-c_d.9", "password-1");
}

TEST_CASE("accounts: empty, short and over-long passwords are 400; 8 and 1024 bytes are accepted") {
    fixture f;
    for (const std::string& password :
         std::vector<std::string>{"", "1234567", std::string(1025, 'x')}) {
        CAPTURE(password.size());
        CHECK(f.register_account("ann", password).status == 400);
    }
    // 1025 bytes made of two-byte characters (more than 1024 bytes, fewer code points).
    std::string two_byte;
    while (two_byte.size() < 1026) two_byte += "\xC3\xA9";
    CHECK(f.register_account("ann", two_byte).status == 400);
    CHECK(f.login("ann", "1234567").status == 401);  // nothing was created

    f.register_ok("eight", "12345678");
    f.login_ok("eight", "12345678");
    const std::string longest(1024, 'p');
    f.register_ok("longest", longest);
    f.login_ok("longest", longest);
    CHECK(f.login("longest", std::string(1025, 'p')).status == 401);
    f.register_ok("accents", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");  // 8 bytes, 4 code points
}

TEST_CASE("accounts: SQL and JSON metacharacters in passwords are stored and verified as plain bytes") {
    fixture f;
    const std::string tricky = "' OR '1'='1'; DROP TABLE accounts;-- \"\\ \xF0\x9F\x90\x9F";
    f.register_ok("ann", tricky);
    f.register_ok("bob", "bobs-password");
    f.login_ok("ann", tricky);
    CHECK(f.login("ann", "' OR '1'='1").status == 401);
    CHECK(f.login("bob", "' OR '1'='1").status == 401);
    CHECK(f.login("bob", tricky).status == 401);
    // The tables are intact: both accounts still work.
    f.login_ok("bob", "bobs-password");
    // A NUL inside the password counts: its prefix is not the password.
    const std::string with_nul("pass\0word-nul", 13);
    f.register_ok("carol", with_nul);
    f.login_ok("carol", with_nul);
}

TEST_CASE("accounts: malformed request bodies are 400, not 500, and not a login failure") {
    fixture f;
    for (const std::string& body : std::vector<std::string>{
             "", "{", "not json", "[]", "null", "42", "\"user\"", R"({"user":"ann"})", R"({"password":"password-1"})",
             R"({"user":5,"password":"password-1"})", R"({"user":"ann","password":null})",
             R"({"user":["ann"],"password":"password-1"})", R"({"user":"ann","password":{"a":1}})",
             "\xFF\xFE{}", "{\"user\":\"ann\",\"password\":\"\xFF\xFFpassword\"}",
             R"({"user":"ann","password":"\ud800aaaaaaaa"})", std::string(200, '['),
             R"({"user":"ann","password":"password-1"} trailing)"}) {
        CAPTURE(body);
        CHECK(f.post("/api/register", body).status == 400);
        CHECK(f.post("/api/login", body).status == 400);
    }
    // None counted as a failed login: the right password still works at once.
    f.register_ok("ann", "password-1");
    f.login_ok("ann", "password-1");
}

TEST_CASE("accounts: /api answers 405 to the wrong method and 404 to an unknown path") {
    fixture f;
    CHECK(f.get("/api/login").status == 405);
    CHECK(f.get("/api/register").status == 405);
    CHECK(f.post("/api/audit", "{}").status == 405);
    CHECK(f.post("/api/nothing", "{}").status == 404);
}

// ------------------------------------------------------------------ tokens

TEST_CASE("accounts: a token connection is its account from the start and may post at once") {
    fixture f;
    f.register_ok("ann", "password-1");
    const auto token = f.login_ok("ann", "password-1");
    test_client c(f.port(), with_token(token));
    const auto hello = c.read_welcome();
    REQUIRE(hello.user);
    CHECK(*hello.user == "ann");
    REQUIRE(hello.role);
    CHECK(*hello.role == "user");
    c.send(post("hello as ann", "n1"));
    const auto echo = c.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->user == "ann");
    CHECK(echo->nonce == std::optional<std::string>("n1"));
    // Identity on top of a token is refused: the name is kept for the connection's life.
    CHECK(c.identify("someone_else").reason == std::optional<std::string>("already_identified"));
}

TEST_CASE("accounts: a token in Authorization: Bearer opens the account as well as ?token=") {
    fixture f;
    f.register_ok("ann", "password-1");
    const auto token = f.login_ok("ann", "password-1");
    test_client c(f.port(), "/general", {{"Authorization", "Bearer " + token}});
    const auto hello = c.read_welcome();
    CHECK(hello.user == std::optional<std::string>("ann"));
    raw_ws_client bad(f.port(), "/general", {{"Authorization", "Bearer " + std::string(64, '0')}});
    CHECK(bad.status() == 401);
}

TEST_CASE("accounts: a bad token gets HTTP 401 before the upgrade and not a single WebSocket byte") {
    fixture f;
    f.register_ok("ann", "password-1");
    const auto token = f.login_ok("ann", "password-1");
    const std::string port = std::to_string(f.port());
    std::string upper = token;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    REQUIRE(upper != token);
    for (const std::string& bad : std::vector<std::string>{"", "x", std::string(64, 'a'), token.substr(0, 63),
                                                          token + "0", upper, "%00", token.substr(1) + token[0],
                                                          accounts::token_hash(token)}) {
        CAPTURE(bad);
        const std::string request = "GET /general?token=" + bad + " HTTP/1.1\r\nHost: 127.0.0.1:" + port +
                                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        const auto response = raw_exchange(f.port(), request);
        CHECK(http_status(response) == 401);
        CHECK(response.find("101 Switching") == std::string::npos);
        CHECK(lower(response).find("sec-websocket-accept") == std::string::npos);
        // The whole answer is the head and a body of exactly Content-Length bytes: no frames follow.
        const auto end = response.find("\r\n\r\n");
        REQUIRE(end != std::string::npos);
        http_reply parsed;
        parsed.head = response.substr(0, end + 2);
        const auto length = parsed.header("Content-Length");
        REQUIRE_FALSE(length.empty());
        CHECK(response.size() == end + 4 + std::stoul(length));
    }
    // The positive control: the real token upgrades.
    raw_ws_client good(f.port(), with_token(token));
    CHECK(good.status() == 101);
}

TEST_CASE("accounts: after logout the token gets 401 on upgrade and on a second logout") {
    fixture f;
    f.register_ok("ann", "password-1");
    const auto token = f.login_ok("ann", "password-1");
    const auto other = f.login_ok("ann", "password-1");
    {
        raw_ws_client before(f.port(), with_token(token));
        REQUIRE(before.status() == 101);
    }
    const auto out = f.post("/api/logout", "", bearer(token));
    CHECK(out.status == 204);
    CHECK(out.body.empty());
    raw_ws_client after(f.port(), with_token(token));
    CHECK(after.status() == 401);
    raw_ws_client after_bearer(f.port(), "/general", {{"Authorization", "Bearer " + token}});
    CHECK(after_bearer.status() == 401);
    CHECK(f.post("/api/logout", "", bearer(token)).status == 401);
    // Only that token: the account's other session still works.
    raw_ws_client still(f.port(), with_token(other));
    CHECK(still.status() == 101);
}

TEST_CASE("accounts: logout without a token or with a made-up one is 401") {
    fixture f;
    CHECK(f.post("/api/logout", "").status == 401);
    CHECK(f.post("/api/logout", "", "Authorization: Basic YW5uOnBhc3N3b3Jk\r\n").status == 401);
    CHECK(f.post("/api/logout", "", "Authorization: Bearer\r\n").status == 401);
    CHECK(f.post("/api/logout", "", bearer(std::string(64, 'f'))).status == 401);
}

TEST_CASE("accounts: a logged-out token survives no restart") {
    fixture f;
    f.register_ok("ann", "password-1");
    const auto token = f.login_ok("ann", "password-1");
    const auto kept = f.login_ok("ann", "password-1");
    REQUIRE(f.post("/api/logout", "", bearer(token)).status == 204);
    f.restart();
    raw_ws_client revoked(f.port(), with_token(token));
    CHECK(revoked.status() == 401);
    raw_ws_client valid(f.port(), with_token(kept));  // tokens are stored, so a restart keeps sessions
    CHECK(valid.status() == 101);
}

TEST_CASE("accounts: a token idle for more than 30 days is refused; one idle 29 days works") {
    temp_dir dir;
    const auto data = dir.path() / "data";
    const auto id = seed_account(data, "ann", "password-1", accounts::role::user);
    constexpr std::int64_t day = 24LL * 60 * 60 * 1000;
    const auto expired = seed_token(data, id, unix_now_ms() - 31 * day);
    const auto fresh = seed_token(data, id, unix_now_ms() - 29 * day);
    test_server server(test_config(data));
    raw_ws_client old(server.port(), with_token(expired));
    CHECK(old.status() == 401);
    raw_ws_client young(server.port(), with_token(fresh));
    CHECK(young.status() == 101);
    // The account itself is fine: logging in again gives a working token.
    CHECK(http_call(server.port(), "POST", "/api/login", credentials("ann", "password-1")).status == 200);
}

// ------------------------------------------------------------------ names and presence

TEST_CASE("accounts: one account on two connections counts once in presence") {
    fixture f;
    f.register_ok("ann", "password-1");
    const auto token = f.login_ok("ann", "password-1");
    test_client watcher(f.port(), "/general");
    watcher.read_welcome();
    REQUIRE(watcher.identify("watcher").success);

    std::optional<test_client> first;
    first.emplace(f.port(), with_token(token));
    first->read_welcome();
    auto appeared = watcher.next_of<presence_notice>();
    REQUIRE(appeared);
    CHECK(appeared->user == "ann");
    CHECK(appeared->state == presence_notice::change::joined);
    CHECK(appeared->online == 2);

    std::optional<test_client> second;
    second.emplace(f.port(), with_token(token));
    REQUIRE(second->next_of<connection_info>());
    auto joined = second->next_of<joined_notice>();
    REQUIRE(joined);
    CHECK(std::count(joined->users.begin(), joined->users.end(), "ann") == 1);
    CHECK(joined->users.size() == 2);
    second->send(post("from the second connection"));
    // The watcher's next frame is that message: the second connection made no presence.
    auto next = watcher.next();
    REQUIRE(next);
    CHECK(std::holds_alternative<chat_message>(*next));
    watcher.send(client_frame{channels_request{}, std::nullopt});
    auto list = watcher.next_of<channel_list>();
    REQUIRE(list);
    REQUIRE(list->channels.size() == 1);
    CHECK(list->channels[0].online == 2);

    // The first connection going is no `left`: ann is still online.
    first.reset();
    REQUIRE(f.wait_connections(2));
    second->send(post("still here"));
    next = watcher.next();
    REQUIRE(next);
    CHECK(std::holds_alternative<chat_message>(*next));
    // The last one going is.
    second.reset();
    auto left = watcher.next_of<presence_notice>();
    REQUIRE(left);
    CHECK(left->user == "ann");
    CHECK(left->state == presence_notice::change::left);
    CHECK(left->online == 1);
}

TEST_CASE("accounts: a guest cannot take an account's name in any case, online or not") {
    fixture f;
    f.register_ok("Ann", "password-1");
    test_client guest(f.port(), "/general");
    guest.read_welcome();
    for (const char* name : {"Ann", "ann", "ANN"}) {
        CAPTURE(name);
        const auto r = guest.identify(name);
        CHECK_FALSE(r.success);
        CHECK(r.reason == std::optional<std::string>("taken"));
    }
    CHECK(guest.identify("annie").success);
}

TEST_CASE("accounts: registering a name an online guest holds is 409, in any case") {
    fixture f;
    test_client guest(f.port(), "/general");
    guest.read_welcome();
    REQUIRE(guest.identify("Squatter").success);
    CHECK(f.register_account("Squatter", "password-1").status == 409);
    CHECK(f.register_account("squatter", "password-1").status == 409);
    CHECK(f.register_account("other", "password-1").status == 201);
}

// ------------------------------------------------------------------ Origin

TEST_CASE("accounts: /api from a foreign Origin is 403 and does nothing; no Origin and the own origin work") {
    fixture f(allowing("https://chat.example"));
    const std::string port = std::to_string(f.port());
    for (const std::string& origin : std::vector<std::string>{"http://evil.example", "null", "http://127.0.0.1:1",
                                                              "https://127.0.0.1:" + port, "http://localhost:" + port,
                                                              "https://chat.example.evil.example"}) {
        CAPTURE(origin);
        const std::string header = "Origin: " + origin + "\r\n";
        CHECK(f.post("/api/register", credentials("ann", "password-1"), header).status == 403);
    }
    // Nothing was created by the refused requests.
    f.register_ok("ann", "password-1");
    // Login, logout and the audit log are guarded too, even with the right password.
    CHECK(f.post("/api/login", credentials("ann", "password-1"), "Origin: http://evil.example\r\n").status == 403);
    const auto token = f.login_ok("ann", "password-1");
    CHECK(f.post("/api/logout", "", bearer(token) + "Origin: http://evil.example\r\n").status == 403);
    CHECK(f.get("/api/audit", bearer(token) + "Origin: http://evil.example\r\n").status == 403);
    raw_ws_client still(f.port(), with_token(token));
    CHECK(still.status() == 101);  // the refused logout did not log out

    const std::string own = "Origin: " + f.own_origin() + "\r\n";
    CHECK(f.post("/api/register", credentials("bob", "password-1"), own).status == 201);
    CHECK(f.post("/api/login", credentials("bob", "password-1"), own).status == 200);
    CHECK(f.post("/api/login", credentials("bob", "password-1"), "Origin: https://chat.example\r\n").status == 200);
}

TEST_CASE("accounts: a valid token from a foreign Origin cannot open a WebSocket (cross-site hijacking)") {
    fixture f;
    f.register_ok("ann", "password-1");
    const auto token = f.login_ok("ann", "password-1");
    raw_ws_client hijack(f.port(), with_token(token), {{"Origin", "http://evil.example"}});
    CHECK(hijack.status() == 403);
    raw_ws_client own(f.port(), with_token(token), {{"Origin", f.own_origin()}});
    CHECK(own.status() == 101);
}

// ------------------------------------------------------------------ throttling

TEST_CASE("accounts: after five failed logins the sixth is 429 with Retry-After, even with the right password") {
    fixture f;
    f.register_ok("ann", "password-1");
    for (int i = 0; i < 5; ++i) CHECK(f.login("ann", "wrong-password").status == 401);
    const auto throttled = f.login("ann", "password-1");
    CHECK(throttled.status == 429);
    const auto retry = throttled.header("Retry-After");
    REQUIRE_FALSE(retry.empty());
    CHECK(std::stoi(retry) >= 1);
    CHECK(throttled.body.find("token") == std::string::npos);
}

TEST_CASE("accounts: past its registrations per hour an address gets 429 with Retry-After and no account") {
    options o;
    o.registrations_per_hour = 3;
    fixture f(o);
    f.register_ok("ann", "password-1");
    // Refusals before any work (a taken name, a bad password) do not use up the hour.
    CHECK(f.register_account("ann", "password-2").status == 409);
    CHECK(f.register_account("bob", "short").status == 400);
    f.register_ok("bob", "password-1");
    f.register_ok("cat", "password-1");
    const auto refused = f.register_account("dan", "password-1");
    CHECK(refused.status == 429);
    CHECK(lower(refused.head).find("retry-after: ") != std::string::npos);
    CHECK(f.login("dan", "password-1").status == 401);  // nothing was created
    // Signing in is not registering: the accounts made work as before.
    CHECK(f.login("cat", "password-1").status == 200);
}

TEST_CASE("accounts: failures on many names from one address throttle that address") {
    fixture f;
    f.register_ok("ann", "password-1");
    for (int i = 0; i < 5; ++i) CHECK(f.login("guess" + std::to_string(i), "password-1").status == 401);
    const auto r = f.login("ann", "password-1");
    CHECK(r.status == 429);
    CHECK_FALSE(r.header("Retry-After").empty());
}

TEST_CASE("accounts: parallel failed logins cannot outrun the throttle") {
    fixture f;
    f.register_ok("ann", "password-1");
    constexpr int attempts = 12;
    std::vector<int> statuses(attempts, 0);
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    for (int i = 0; i < attempts; ++i)
        threads.emplace_back([&, i] {
            while (!go.load()) std::this_thread::yield();
            statuses[i] = http_call(f.port(), "POST", "/api/login", credentials("ann", "wrong-" + std::to_string(i))).status;
        });
    go = true;
    for (auto& t : threads) t.join();
    const auto failed = std::count(statuses.begin(), statuses.end(), 401);
    const auto throttled = std::count(statuses.begin(), statuses.end(), 429);
    CHECK(failed + throttled == attempts);
    CHECK(failed <= 5);  // each 401 was a real password check: no more than the free failures
}

// ------------------------------------------------------------------ moderation

TEST_CASE("accounts: a non-admin may not kick, ban, delete another's message or read the audit log") {
    fixture f;
    f.register_ok("mallory", "password-1");
    const auto token = f.login_ok("mallory", "password-1");
    test_client victim(f.port(), "/general");
    victim.read_welcome();
    REQUIRE(victim.identify("victim").success);
    victim.send(post("my message", "v1"));
    const auto mine = victim.next_of<chat_message>();
    REQUIRE(mine);

    test_client mallory(f.port(), with_token(token));
    mallory.read_welcome();
    mallory.send(client_frame{kick_request{"general", "victim"}, "k"});
    CHECK(got_error(mallory, error_code::forbidden));
    mallory.send(client_frame{ban_request{"victim", 60}, "b"});
    CHECK(got_error(mallory, error_code::forbidden));
    mallory.send(client_frame{delete_request{mine->id}, "d"});
    CHECK(got_error(mallory, error_code::forbidden));
    mallory.send(client_frame{edit_request{mine->id, "pwned"}, "e"});
    CHECK(got_error(mallory, error_code::forbidden));

    test_client guest(f.port(), "/general");
    guest.read_welcome();
    REQUIRE(guest.identify("guest").success);
    guest.send(client_frame{kick_request{"general", "victim"}, "k"});
    CHECK(got_error(guest, error_code::forbidden));
    guest.send(client_frame{ban_request{"mallory", 60}, "b"});
    CHECK(got_error(guest, error_code::forbidden));

    CHECK(f.get("/api/audit", bearer(token)).status == 403);
    CHECK(f.get("/api/audit").status == 401);
    CHECK(f.get("/api/audit", bearer(std::string(64, '1'))).status == 401);

    // The victim was not touched: still connected, still in #general, the message still there.
    victim.send(post("still here", "v2"));
    for (;;) {
        auto m = victim.next();
        REQUIRE(m);
        CHECK_FALSE(std::holds_alternative<left_notice>(*m));
        CHECK_FALSE(std::holds_alternative<deleted_notice>(*m));
        CHECK_FALSE(std::holds_alternative<edited_notice>(*m));
        if (auto* echo = std::get_if<chat_message>(&*m); echo && echo->nonce == std::optional<std::string>("v2")) break;
    }
    raw_ws_client reader(f.port(), "/general");
    REQUIRE(reader.status() == 101);
    REQUIRE(reader.next_of<connection_info>());
    REQUIRE(reader.next_of<joined_notice>());
    const auto history = reader.next_of<history_page>();
    REQUIRE(history);
    REQUIRE(history->messages.size() == 2);
    CHECK(history->messages[0].text == "my message");
}

TEST_CASE("accounts: an admin token's connection frame says role admin") {
    fixture f(with_admin());
    test_client admin(f.port(), with_token(f.admin_token()));
    const auto hello = admin.read_welcome();
    CHECK(hello.user == std::optional<std::string>(std::string(admin_name)));
    CHECK(hello.role == std::optional<std::string>("admin"));
    const auto r = f.login(admin_name, admin_password);
    CHECK(r.body_json()["role"] == "admin");
}

TEST_CASE("accounts: an admin kick sends the target left with reason kicked and tells the channel") {
    fixture f(with_admin());
    test_client admin(f.port(), with_token(f.admin_token()));
    admin.read_welcome();
    test_client target(f.port(), "/general");
    target.read_welcome();
    REQUIRE(target.identify("troll").success);
    REQUIRE(admin.next_of<presence_notice>());  // troll joined

    admin.send(client_frame{kick_request{"general", "TROLL"}, "k1"});
    const auto left = target.next_of<left_notice>();
    REQUIRE(left);
    CHECK(left->channel == "general");
    CHECK(left->reason == std::optional<std::string>("kicked"));
    const auto gone = admin.next_of<presence_notice>();
    REQUIRE(gone);
    CHECK(gone->user == "troll");
    CHECK(gone->state == presence_notice::change::left);
    // A kick is not a ban: the connection stays, but it is out of the channel.
    CHECK(target.is_open());
    target.send(post("still posting?"));
    CHECK(got_error(target, error_code::not_in_channel));
    // Kicking someone who is not there is not_found.
    admin.send(client_frame{kick_request{"general", "nobody"}, "k2"});
    CHECK(got_error(admin, error_code::not_found));
}

TEST_CASE("accounts: an admin ban closes the target with 1008 and its address is then refused with 403") {
    fixture f(with_admin());
    f.register_ok("mallory", "password-1");
    const auto mallory_token = f.login_ok("mallory", "password-1");
    test_client admin(f.port(), with_token(f.admin_token()));
    admin.read_welcome();
    test_client guest(f.port(), "/general");
    guest.read_welcome();
    REQUIRE(guest.identify("troll").success);
    test_client mallory(f.port(), with_token(mallory_token, "random"));
    mallory.read_welcome();

    admin.send(client_frame{ban_request{"troll", 60}, "b1"});
    CHECK(guest.wait_closed() == std::optional<std::uint16_t>(1008));
    admin.send(client_frame{ban_request{"Mallory", 60}, "b2"});
    CHECK(mallory.wait_closed() == std::optional<std::uint16_t>(1008));
    barrier(admin);
    CHECK(admin.is_open());  // the admin shares the address but is not the target

    // Coming back from the same address, as a guest or with the banned account's token, is 403.
    raw_ws_client again(f.port(), "/general");
    CHECK(again.status() == 403);
    CHECK(again.response().find("101 Switching") == std::string::npos);
    raw_ws_client again_token(f.port(), with_token(mallory_token));
    CHECK(again_token.status() == 403);
}

TEST_CASE("accounts: a banned name is refused as a guest identity, in any case; other names are not") {
    fixture f(with_admin());
    test_client admin(f.port(), with_token(f.admin_token()));
    admin.read_welcome();
    // An offline name: a ban of the name alone, no address.
    admin.send(client_frame{ban_request{"spammer", 60}, "b1"});
    barrier(admin);
    test_client guest(f.port(), "/general");
    guest.read_welcome();
    for (const char* name : {"spammer", "SPAMMER", "Spammer"}) {
        CAPTURE(name);
        const auto r = guest.identify(name);
        CHECK_FALSE(r.success);
        CHECK(r.reason == std::optional<std::string>("banned"));
    }
    CHECK(guest.identify("friendly").success);
    // Nor can the name come back as an account: registering it is 403, in any case.
    for (const char* name : {"spammer", "SPAMMER"}) {
        CAPTURE(name);
        const auto reg = f.register_account(name, "password-1");
        CHECK(reg.status == 403);
        CHECK(reg.body.find("banned") != std::string::npos);
    }
    CHECK(f.register_account("friendly2", "password-1").status == 201);
}

TEST_CASE("accounts: a banned account's login is 403 with the right password and 401 with a wrong one") {
    fixture f(with_admin());
    f.register_ok("dave", "password-1");
    test_client admin(f.port(), with_token(f.admin_token()));
    admin.read_welcome();
    admin.send(client_frame{ban_request{"dave", 60}, "b1"});  // offline: the name only
    barrier(admin);
    const auto right = f.post("/api/login", credentials("dave", "password-1"));
    CHECK(right.status == 403);
    CHECK(right.body.find("token") == std::string::npos);
    // A wrong password learns nothing about the ban: the usual 401.
    CHECK(f.post("/api/login", credentials("dave", "wrong-password")).status == 401);
    CHECK(f.post("/api/login", credentials("Dave", "password-1")).status == 403);
}

TEST_CASE("accounts: from a banned address, register and login are 403 and create nothing") {
    fixture f(with_admin());
    f.register_ok("erin", "password-1");
    test_client admin(f.port(), with_token(f.admin_token()));
    admin.read_welcome();
    test_client guest(f.port(), "/general");
    guest.read_welcome();
    REQUIRE(guest.identify("troll").success);
    admin.send(client_frame{ban_request{"troll", 60}, "b1"});  // troll's address is 127.0.0.1
    CHECK(guest.wait_closed() == std::optional<std::uint16_t>(1008));
    barrier(admin);
    CHECK(f.register_account("newcomer", "password-1").status == 403);
    CHECK(f.post("/api/login", credentials("erin", "password-1")).status == 403);
    f.restart();  // the address ban is stored; the refused registration left no account
    CHECK(f.post("/api/login", credentials("newcomer", "password-1")).status == 403);
    auto db = open_test_accounts(f.data());
    CHECK_FALSE(db->find_account("newcomer"));
}

TEST_CASE("accounts: a name ban survives a restart") {
    fixture f(with_admin());
    {
        test_client admin(f.port(), with_token(f.admin_token()));
        admin.read_welcome();
        admin.send(client_frame{ban_request{"spammer", 60}, "b1"});
        barrier(admin);
    }
    f.restart();
    test_client guest(f.port(), "/general");
    guest.read_welcome();
    CHECK(guest.identify("spammer").reason == std::optional<std::string>("banned"));
    CHECK(guest.identify("friendly").success);
}

TEST_CASE("accounts: an address ban survives a restart") {
    fixture f(with_admin());
    {
        test_client admin(f.port(), with_token(f.admin_token()));
        admin.read_welcome();
        test_client troll(f.port(), "/general");
        troll.read_welcome();
        REQUIRE(troll.identify("troll").success);
        admin.send(client_frame{ban_request{"troll", 60}, "b1"});
        REQUIRE(troll.wait_closed() == std::optional<std::uint16_t>(1008));
        barrier(admin);
    }
    f.restart();
    raw_ws_client again(f.port(), "/general");
    CHECK(again.status() == 403);
}

TEST_CASE("accounts: an admin deletes another user's message and everyone in the channel gets deleted") {
    fixture f(with_admin());
    test_client admin(f.port(), with_token(f.admin_token()));
    admin.read_welcome();
    test_client author(f.port(), "/general");
    author.read_welcome();
    REQUIRE(author.identify("author").success);
    test_client bystander(f.port(), "/general");
    bystander.read_welcome();
    REQUIRE(bystander.identify("bystander").success);

    author.send(post("spam spam spam", "s1"));
    const auto posted = author.next_of<chat_message>();
    REQUIRE(posted);
    REQUIRE(admin.next_of<chat_message>());
    REQUIRE(bystander.next_of<chat_message>());

    admin.send(client_frame{delete_request{posted->id}, "d1"});
    for (auto* c : {&admin, &author, &bystander}) {
        const auto d = c->next_of<deleted_notice>();
        REQUIRE(d);
        CHECK(d->id == posted->id);
        CHECK(d->channel == "general");
    }
    // Gone from history as well.
    raw_ws_client reader(f.port(), "/general");
    REQUIRE(reader.next_of<connection_info>());
    REQUIRE(reader.next_of<joined_notice>());
    const auto history = reader.next_of<history_page>();
    REQUIRE(history);
    CHECK(history->messages.empty());
}

TEST_CASE("accounts: the audit log lists kick, ban and delete with the acting admin, for admins only") {
    fixture f(with_admin());
    const auto token = f.admin_token();
    test_client admin(f.port(), with_token(token));
    admin.read_welcome();
    test_client target(f.port(), "/general");
    target.read_welcome();
    REQUIRE(target.identify("troll").success);
    target.send(post("bad words", "t1"));
    const auto posted = target.next_of<chat_message>();
    REQUIRE(posted);

    admin.send(client_frame{delete_request{posted->id}, "d1"});
    REQUIRE(target.next_of<deleted_notice>());
    admin.send(client_frame{kick_request{"general", "troll"}, "k1"});
    REQUIRE(target.next_of<left_notice>());
    admin.send(client_frame{ban_request{"troll", 30}, "b1"});
    REQUIRE(target.wait_closed());
    barrier(admin);

    const auto entries = audit_entries(f, token);
    CHECK(has_entry(entries, "delete", admin_name, std::to_string(posted->id)));
    CHECK(has_entry(entries, "kick", admin_name, "troll"));
    CHECK(has_entry(entries, "ban", admin_name, "troll"));
    const auto ban = std::find_if(entries.begin(), entries.end(), [](const json& e) { return e["action"] == "ban"; });
    REQUIRE(ban != entries.end());
    CHECK((*ban)["detail"].get<std::string>().find("30") != std::string::npos);
    // Newest first, and ?limit= is honoured.
    REQUIRE(entries.size() >= 3);
    CHECK(entries[0]["action"] == "ban");
    const auto one = f.get("/api/audit?limit=1", bearer(token));
    REQUIRE(one.status == 200);
    CHECK(one.body_json()["entries"].size() == 1);
}

// ------------------------------------------------------------------ --accounts-only

TEST_CASE("accounts: with --accounts-only a guest identity is refused and an account posts") {
    fixture f(accounts_only());
    f.register_ok("ann", "password-1");
    test_client guest(f.port(), "/general");
    guest.read_welcome();
    const auto r = guest.identify("guest");
    CHECK_FALSE(r.success);
    CHECK(r.reason == std::optional<std::string>("accounts_only"));
    guest.send(post("let me in", "g1"));
    CHECK(got_error(guest, error_code::not_identified));

    test_client ann(f.port(), with_token(f.login_ok("ann", "password-1")));
    ann.read_welcome();
    ann.send(post("accounts welcome", "a1"));
    const auto echo = ann.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->user == "ann");
    // The guest may still read.
    const auto seen = guest.next_of<chat_message>();
    REQUIRE(seen);
    CHECK(seen->text == "accounts welcome");
}

// ------------------------------------------------------------------ admin CLI

TEST_CASE("admin cli creates an admin from PARLEY_ADMIN_PASSWORD, lists it, and removes it") {
    fixture f;
    f.server.reset();  // the CLI works on a stopped server's data directory
    const std::string data = f.data().string();
    const auto created = run_cli(f, {"--data", data, "admin", "create", "boss"}, "boss-password-1");
    REQUIRE_MESSAGE(created.code == 0, created.err);
    const auto listed = run_cli(f, {"--data", data, "admin", "list"}, std::nullopt);
    CHECK(listed.code == 0);
    const auto lines = lines_of(listed.out);
    CHECK(std::find(lines.begin(), lines.end(), "boss admin") != lines.end());
    CHECK(listed.out.find("boss-password-1") == std::string::npos);

    f.start();
    const auto r = f.login("boss", "boss-password-1");
    REQUIRE(r.status == 200);
    CHECK(r.body_json()["role"] == "admin");
    test_client boss(f.port(), with_token(r.body_json()["token"].get<std::string>()));
    CHECK(boss.read_welcome().role == std::optional<std::string>("admin"));
    f.server.reset();

    const auto removed = run_cli(f, {"--data", data, "admin", "remove", "boss"}, std::nullopt);
    CHECK(removed.code == 0);
    const auto after = run_cli(f, {"--data", data, "admin", "list"}, std::nullopt);
    CHECK(after.out.find("boss") == std::string::npos);
    CHECK(run_cli(f, {"--data", data, "admin", "remove", "boss"}, std::nullopt).code != 0);
    f.start();
    CHECK(f.login("boss", "boss-password-1").status == 401);
}

TEST_CASE("admin cli lists the bans in force and lifts a name's and an address's bans") {
    fixture f(with_admin());
    {
        test_client admin(f.port(), with_token(f.admin_token()));
        admin.read_welcome();
        test_client guest(f.port(), "/general");
        guest.read_welcome();
        REQUIRE(guest.identify("troll").success);
        admin.send(client_frame{ban_request{"troll", 60}, "b1"});  // the name and 127.0.0.1
        CHECK(guest.wait_closed() == std::optional<std::uint16_t>(1008));
        admin.send(client_frame{ban_request{"Spammer", 60}, "b2"});  // offline: the name only
        barrier(admin);
    }
    f.server.reset();
    const std::string data = f.data().string();
    const auto bans = run_cli(f, {"--data", data, "admin", "bans"}, std::nullopt);
    CHECK(bans.code == 0);
    const auto lines = lines_of(bans.out);
    const auto listed = [&](std::string_view prefix) {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); });
    };
    CHECK(listed("name troll until "));
    CHECK(listed("name spammer until "));
    CHECK(listed("address 127.0.0.1 until "));

    CHECK(run_cli(f, {"--data", data, "admin", "unban", "127.0.0.1"}, std::nullopt).code == 0);
    CHECK(run_cli(f, {"--data", data, "admin", "unban", "SPAMMER"}, std::nullopt).code == 0);
    const auto again = run_cli(f, {"--data", data, "admin", "unban", "spammer"}, std::nullopt);
    CHECK(again.code != 0);
    CHECK(again.err.find("no ban") != std::string::npos);
    const auto after = run_cli(f, {"--data", data, "admin", "bans"}, std::nullopt);
    CHECK(lines_of(after.out).size() == 1);
    CHECK(after.out.starts_with("name troll until "));

    f.start();
    raw_ws_client back(f.port(), "/general");  // the address is free again
    CHECK(back.status() == 101);
    test_client guest(f.port(), "/general");
    guest.read_welcome();
    CHECK(guest.identify("spammer").success);
    test_client other(f.port(), "/general");
    other.read_welcome();
    CHECK(other.identify("troll").reason == std::optional<std::string>("banned"));  // still banned by name
    const auto log = f.get("/api/audit", "Authorization: Bearer " + f.admin_token() + "\r\n");
    CHECK(log.body.find("\"unban\"") != std::string::npos);
}

TEST_CASE("admin cli reads the password from stdin when PARLEY_ADMIN_PASSWORD is not set") {
    fixture f;
    f.server.reset();
    const std::string data = f.data().string();
    const auto created = run_cli(f, {"--data", data, "admin", "create", "boss"}, std::nullopt, "stdin-password-1\n");
    REQUIRE_MESSAGE(created.code == 0, created.err);
    f.start();
    CHECK(f.login("boss", "stdin-password-1").status == 200);
}

TEST_CASE("admin cli refuses a short password, a bad name and a taken name with a non-zero exit") {
    fixture f;
    f.server.reset();
    const std::string data = f.data().string();
    const auto short_pw = run_cli(f, {"--data", data, "admin", "create", "boss"}, "short");
    CHECK(short_pw.code != 0);
    CHECK_FALSE(short_pw.err.empty());
    const auto empty_pw = run_cli(f, {"--data", data, "admin", "create", "boss"}, std::nullopt, "");
    CHECK(empty_pw.code != 0);
    CHECK(run_cli(f, {"--data", data, "admin", "create", "bad name"}, "boss-password-1").code != 0);
    CHECK(run_cli(f, {"--data", data, "admin", "create", "x'; DROP TABLE accounts;--"}, "boss-password-1").code != 0);
    const auto listed = run_cli(f, {"--data", data, "admin", "list"}, std::nullopt);
    CHECK(listed.code == 0);
    CHECK(listed.out.empty());

    REQUIRE(run_cli(f, {"--data", data, "admin", "create", "boss"}, "boss-password-1").code == 0);
    CHECK(run_cli(f, {"--data", data, "admin", "create", "BOSS"}, "other-password-1").code != 0);
    f.start();
    CHECK(f.login("boss", "boss-password-1").status == 200);
    CHECK(f.login("boss", "other-password-1").status == 401);
}

// ------------------------------------------------------------------ ownership follows the identity (issue 11)

namespace {

/// The history a fresh reader of `channel` is sent on joining.
history_page history_of(fixture& f, std::string_view channel = "general") {
    raw_ws_client reader(f.port(), "/" + std::string(channel));
    REQUIRE(reader.status() == 101);
    REQUIRE(reader.next_of<connection_info>());
    REQUIRE(reader.next_of<joined_notice>());
    auto page = reader.next_of<history_page>();
    REQUIRE(page);
    return *page;
}

/// Identifies `c` as `name`, retrying briefly while a closing connection still holds it.
template <class Client>
bool identify_soon(Client& c, const std::string& name) {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (c.identify(name).success) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

}  // namespace

TEST_CASE("ownership: a guest who takes a departed guest's name and replays a deleted message's nonce gets the deletion, not the text") {
    fixture f;
    message_id id = 0;
    {
        test_client eve(f.port(), "/general");
        eve.read_welcome();
        REQUIRE(eve.identify("eve").success);
        eve.send(post("my secret plans", "n-secret"));
        const auto echo = eve.next_of<chat_message>();
        REQUIRE(echo);
        id = echo->id;
        eve.send(client_frame{delete_request{id}, "d"});
        REQUIRE(eve.next_of<deleted_notice>());
    }
    REQUIRE(f.wait_connections(0));
    test_client imposter(f.port(), "/general");
    imposter.read_welcome();
    REQUIRE(identify_soon(imposter, "Eve"));
    imposter.send(post("my secret plans", "n-secret"));
    const auto replay = imposter.next_of<chat_message>();
    REQUIRE(replay);
    CHECK(replay->id == id);
    CHECK(replay->text.empty());
    const auto gone = imposter.next_of<deleted_notice>();
    REQUIRE(gone);
    CHECK(gone->id == id);
    CHECK(history_of(f).messages.empty());
}

TEST_CASE("ownership: after admin remove dave, a new dave can neither edit nor delete old dave's messages nor replay their nonces") {
    fixture f(with_admin());
    f.register_ok("dave", "dave-password-1");
    message_id kept = 0;
    message_id secret = 0;
    {
        test_client dave(f.port(), with_token(f.login_ok("dave", "dave-password-1")));
        dave.read_welcome();
        dave.send(post("old dave was here", "k-kept"));
        auto echo = dave.next_of<chat_message>();
        REQUIRE(echo);
        kept = echo->id;
        dave.send(post("old dave's secret", "k-secret"));
        echo = dave.next_of<chat_message>();
        REQUIRE(echo);
        secret = echo->id;
        dave.send(client_frame{delete_request{secret}, "d"});
        REQUIRE(dave.next_of<deleted_notice>());
    }
    f.server.reset();
    const std::string data = f.data().string();
    REQUIRE(run_cli(f, {"--data", data, "admin", "remove", "dave"}, std::nullopt).code == 0);
    f.start();
    f.register_ok("Dave", "new-dave-password");
    test_client dave(f.port(), with_token(f.login_ok("dave", "new-dave-password")));
    dave.read_welcome();

    dave.send(client_frame{edit_request{kept, "rewritten"}, "e"});
    CHECK(got_error(dave, error_code::forbidden));
    dave.send(client_frame{delete_request{kept}, "d"});
    CHECK(got_error(dave, error_code::forbidden));
    dave.send(client_frame{delete_request{secret}, "d2"});
    CHECK(got_error(dave, error_code::not_found));
    // The nonces are old dave's, not this account's: new messages, no old text.
    dave.send(post("new text", "k-secret"));
    auto echo = dave.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->id != secret);
    CHECK(echo->text == "new text");
    dave.send(post("new text 2", "k-kept"));
    echo = dave.next_of<chat_message>();
    REQUIRE(echo);
    CHECK(echo->id != kept);
    CHECK(echo->text == "new text 2");

    // Still shown as dave's, and an admin can still delete it.
    auto page = history_of(f);
    REQUIRE(page.messages.size() == 3);
    CHECK(page.messages[0].id == kept);
    CHECK(page.messages[0].user == "dave");
    CHECK(page.messages[0].text == "old dave was here");
    test_client admin(f.port(), with_token(f.admin_token()));
    admin.read_welcome();
    admin.send(client_frame{delete_request{kept}, "ad"});
    const auto d = admin.next_of<deleted_notice>();
    REQUIRE(d);
    CHECK(d->id == kept);
}

TEST_CASE("ownership: an account edits its messages from another connection and after a restart") {
    fixture f;
    f.register_ok("ann", "ann-password-1");
    message_id id = 0;
    {
        test_client ann(f.port(), with_token(f.login_ok("ann", "ann-password-1")));
        ann.read_welcome();
        ann.send(post("first draft", "a1"));
        const auto echo = ann.next_of<chat_message>();
        REQUIRE(echo);
        id = echo->id;
    }
    f.restart();
    test_client ann(f.port(), with_token(f.login_ok("ann", "ann-password-1")));
    ann.read_welcome();
    ann.send(client_frame{edit_request{id, "second draft"}, "e"});
    const auto edited = ann.next_of<edited_notice>();
    REQUIRE(edited);
    CHECK(edited->text == "second draft");
    ann.send(post("first draft", "a1"));  // the resend is recognised across connections
    const auto again = ann.next_of<chat_message>();
    REQUIRE(again);
    CHECK(again->id == id);
    CHECK(again->text == "second draft");
}

// ------------------------------------------------------------------ audit (issue 11)

TEST_CASE("audit: logins, failed logins, registrations, logouts and refused admin actions are logged with the address") {
    fixture f(with_admin());
    f.register_ok("mallory", "mallory-password");
    CHECK(f.login("mallory", "wrong-password").status == 401);
    CHECK(f.login("nobody", "wrong-password").status == 401);
    const auto token = f.login_ok("mallory", "mallory-password");
    {
        test_client victim(f.port(), "/general");
        victim.read_welcome();
        REQUIRE(victim.identify("victim").success);
        victim.send(post("mine", "v1"));
        const auto mine = victim.next_of<chat_message>();
        REQUIRE(mine);
        test_client mallory(f.port(), with_token(token));
        mallory.read_welcome();
        mallory.send(client_frame{kick_request{"general", "victim"}, "k"});
        CHECK(got_error(mallory, error_code::forbidden));
        mallory.send(client_frame{ban_request{"victim", 60}, "b"});
        CHECK(got_error(mallory, error_code::forbidden));
        mallory.send(client_frame{delete_request{mine->id}, "d"});
        CHECK(got_error(mallory, error_code::forbidden));
        mallory.send(client_frame{edit_request{mine->id, "pwned"}, "e"});
        CHECK(got_error(mallory, error_code::forbidden));
        barrier(mallory);
    }
    const auto logout = f.post("/api/logout", "", bearer(token));
    REQUIRE(logout.status == 204);

    const auto admin = f.admin_token();
    json entries;
    // The worker writes the log in order; the admin's own login is the newest entry once
    // everything before it is written.
    entries = audit_entries(f, admin);
    CHECK(has_entry(entries, "register", "mallory", "mallory"));
    CHECK(has_entry(entries, "login_failed", "mallory", "mallory"));
    CHECK(has_entry(entries, "login_failed", "nobody", "nobody"));
    CHECK(has_entry(entries, "login", "mallory", "mallory"));
    CHECK(has_entry(entries, "logout", "mallory", "mallory"));
    CHECK(has_entry(entries, "refused_kick", "mallory", "victim"));
    CHECK(has_entry(entries, "refused_ban", "mallory", "victim"));
    CHECK(has_entry(entries, "login", std::string(admin_name), std::string(admin_name)));
    bool refused_delete = false;
    bool refused_edit = false;
    for (const auto& e : entries) {
        INFO(e.dump());
        CHECK(e.contains("at"));
        CHECK(e["at"].get<std::int64_t>() > 0);
        CHECK(text_field(e, "address") == "127.0.0.1");
        refused_delete |= text_field(e, "action") == "refused_delete" && text_field(e, "channel") == "general";
        refused_edit |= text_field(e, "action") == "refused_edit" && text_field(e, "actor") == "mallory";
    }
    CHECK(refused_delete);
    CHECK(refused_edit);
}

TEST_CASE("audit: an admin ban logs the banned addresses") {
    fixture f(with_admin());
    const auto token = f.admin_token();
    test_client admin(f.port(), with_token(token));
    admin.read_welcome();
    test_client troll(f.port(), "/general");
    troll.read_welcome();
    REQUIRE(troll.identify("troll").success);
    admin.send(client_frame{ban_request{"troll", 60}, "b"});
    REQUIRE(troll.wait_closed());
    barrier(admin);
    CHECK(has_entry(audit_entries(f, token), "ban_address", admin_name, "127.0.0.1"));
}

TEST_CASE("audit: ?limit= is read as a parameter: nolimit is ignored, non-canonical numbers are 400") {
    fixture f(with_admin());
    f.admin_token();
    f.login("root", "wrong-password-1");
    f.login("root", "wrong-password-2");
    const auto admin = f.admin_token();
    const auto all = f.get("/api/audit?nolimit=1", bearer(admin));
    REQUIRE(all.status == 200);
    INFO(all.body);
    CHECK(all.body_json()["entries"].size() >= 4);
    const auto two = f.get("/api/audit?x=1&limit=2", bearer(admin));
    REQUIRE(two.status == 200);
    CHECK(two.body_json()["entries"].size() == 2);
    CHECK(f.get("/api/audit?limit=%32", bearer(admin)).body_json()["entries"].size() == 2);
    for (const char* bad : {"?limit=02", "?limit=-1", "?limit=0", "?limit=abc", "?limit=", "?limit=1&limit=2",
                            "?limit=%zz", "?limit=+2"}) {
        INFO(bad);
        CHECK(f.get(std::string("/api/audit") + bad, bearer(admin)).status == 400);
    }
}

TEST_CASE("admin cli audit prints the log newest first, --limit entries") {
    fixture f(with_admin());
    f.register_ok("ann", "ann-password-1");
    f.login_ok("ann", "ann-password-1");
    CHECK(f.login("ann", "wrong-password").status == 401);
    f.server.reset();
    const std::string data = f.data().string();
    const auto all = run_cli(f, {"--data", data, "admin", "audit"}, std::nullopt);
    REQUIRE_MESSAGE(all.code == 0, all.err);
    const auto lines = lines_of(all.out);
    REQUIRE(lines.size() >= 3);
    CHECK(lines[0].find(" login_failed actor=ann target=ann address=127.0.0.1 detail=wrong password") !=
          std::string::npos);
    CHECK(lines[1].find(" login actor=ann") != std::string::npos);
    CHECK(lines[2].find(" register actor=ann") != std::string::npos);
    CHECK(lines[0].find(" UTC ") != std::string::npos);
    const auto one = run_cli(f, {"--data", data, "admin", "audit", "--limit", "1"}, std::nullopt);
    CHECK(one.code == 0);
    CHECK(lines_of(one.out).size() == 1);
    CHECK(run_cli(f, {"--data", data, "admin", "audit", "--limit", "0"}, std::nullopt).code != 0);
}

// ------------------------------------------------------------------ retention (issue 11)

TEST_CASE("retention: with a tiny per-channel cap the oldest messages leave the history") {
    options o;
    o.max_messages_per_channel = 3;
    fixture f(o);
    test_client poster(f.port(), "/general");
    poster.read_welcome();
    REQUIRE(poster.identify("poster").success);
    std::vector<message_id> ids;
    for (int i = 0; i < 8; ++i) {
        poster.send(post("message " + std::to_string(i), "p" + std::to_string(i)));
        const auto echo = poster.next_of<chat_message>();
        REQUIRE(echo);
        ids.push_back(echo->id);
    }
    // Pruned in the background, soon after the posts: wait (bounded) for it.
    std::vector<message_id> seen;
    bool has_more = true;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto page = history_of(f);
        seen.clear();
        for (const auto& m : page.messages) seen.push_back(m.id);
        has_more = page.has_more;
        if (seen.size() == 3) break;
        std::this_thread::sleep_for(20ms);
    }
    CHECK(seen == std::vector<message_id>(ids.end() - 3, ids.end()));
    CHECK_FALSE(has_more);
}
