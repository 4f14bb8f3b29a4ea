// What servers sharing a database tell each other in notification payloads, read without
// a database: control notices (store/postgres_control) and presence changes
// (store/postgres_presence). A malformed payload is dropped, never half applied. Control
// notifications also carry their notice for servers older than the control log.
#include <doctest/doctest.h>

#include "store/postgres_control.hpp"
#include "store/postgres_presence.hpp"

using namespace parley::server;

TEST_CASE("control notices: encoded and decoded alike, malformed ones refused") {
    const control_notice ban{"ban", {"bob", "123", "10.0.0.7", ""}};
    const auto sent = pg::decode_control(pg::encode_control("origin-1", 42, ban));
    REQUIRE(sent);
    CHECK(sent->origin == "origin-1");
    CHECK(sent->number == 42);
    CHECK(sent->notice.kind == "ban");
    CHECK(sent->notice.args == ban.args);  // an empty last argument survives
    CHECK(pg::decode_control("origin-only") == std::nullopt);
    CHECK(pg::decode_control("origin\n") == std::nullopt);  // no kind
    CHECK(pg::decode_control("") == std::nullopt);
    CHECK(pg::decode_control("origin#\nkick\nann") == std::nullopt);  // a mark without a number
    CHECK(pg::decode_control("origin#4x\nkick\nann") == std::nullopt);
    // `parley-server admin` numbers nothing: its payload is the one every version reads.
    CHECK(pg::encode_control("cli", 0, ban) == "cli\nban\nbob\n123\n10.0.0.7\n");
    const auto unnumbered = pg::decode_control("cli\nunban\nbob\n");
    REQUIRE(unnumbered);
    CHECK(unnumbered->origin == "cli");
    CHECK(unnumbered->number == 0);
    CHECK(pg::payload_fields("a\n\nb") == std::vector<std::string>{"a", "", "b"});
}

TEST_CASE("control notifications: this version's wake the reader for the log; a schema-4 server's are the notice") {
    const std::string row = pg::encode_control("a1b2", 7, {"kick", {"general", "ann"}});
    const std::string payload = pg::notification_payload(row);
    CHECK(pg::classify_notification(payload) == pg::control_wakeup::read_log);
    CHECK(pg::classify_notification("") == pg::control_wakeup::read_log);  // the log's first version
    CHECK(pg::classify_notification(pg::encode_control("c3d4", 0, {"kick", {"general", "bob"}})) ==
          pg::control_wakeup::apply);
    // A schema-4 server reads the lines as origin, kind, arguments: the notice whole, from
    // an origin that is never its own (theirs are hex).
    CHECK(pg::payload_fields(payload) == std::vector<std::string>{"@a1b2#7", "kick", "general", "ann"});
    // A notice too long for a notification goes to the log alone.
    CHECK(pg::notification_payload(std::string(8000, 'x')).empty());
}

TEST_CASE("presence notifications: other servers' changes reach the handlers; malformed and own ones do not") {
    postgres_presence presence({"me", "n1", "parley_1_presence"}, [] {});
    std::vector<std::string> seen;
    presence_handlers handlers;
    handlers.changed = [&](const presence_entry& e, bool present) {
        seen.push_back(std::string(present ? "+" : "-") + e.origin + "/" + e.channel + "/" + e.folded + "/" +
                       e.display + (e.is_account ? "/account" : ""));
    };
    handlers.gone = [&](const std::string& origin) { seen.push_back("gone " + origin); };
    presence.set_handlers(handlers);

    presence.notified("+\nother\ngeneral\nbob\nBob\n0");
    CHECK(presence.remote_guest_online("bob"));
    for (const char* bad : {"", "+", "+\nother\ngeneral\nbob\nBob", "-\nother\ngeneral", "?\nother\ngeneral\nbob",
                            "gone", "+\nother\ngeneral\nbob\nBob\n0\nextra"})
        presence.notified(bad);
    presence.notified("+\nme\ngeneral\nann\nann\n0");  // this server's own: the hub knows
    presence.notified("gone\nme");                      // this server's own reset
    // A departure names no kind: the entry remembered gives it.
    presence.notified("-\nother\ngeneral\nbob");
    CHECK_FALSE(presence.remote_guest_online("bob"));
    presence.notified("+\nother\ngeneral\nroot\nroot\n1");
    CHECK_FALSE(presence.remote_guest_online("root"));  // an account, not a guest
    presence.notified("gone\nother");
    CHECK(seen == std::vector<std::string>{"+other/general/bob/Bob", "-other/general/bob/Bob",
                                           "+other/general/root/root/account", "gone other"});
}
