// The admin window's audit log bookkeeping (when to fetch, what an answer changes) and
// the wording of its entries. The drawing itself is exercised end to end.
#include "admin_view.hpp"

#include <doctest/doctest.h>

using namespace parley;
using parley::client::account_reply;
using parley::client::audit_entry;
using parley::ui::admin_state;

namespace {

account_reply audit_reply(int status, std::vector<audit_entry> entries = {}) {
    account_reply reply;
    reply.status = status;
    reply.audit = std::move(entries);
    if (status != 200) reply.error = "admins only";
    return reply;
}

}  // namespace

TEST_CASE("the audit log is fetched only while its tab is shown and a fetch is due") {
    admin_state admin;
    admin.audit_due = 1000;
    CHECK_FALSE(audit_fetch_due(admin, 5000));  // tab not shown
    admin.audit_shown = true;
    CHECK_FALSE(audit_fetch_due(admin, 999));
    CHECK(audit_fetch_due(admin, 1000));
    ui::audit_requested(admin);
    CHECK(admin.audit_loading);
    CHECK_FALSE(audit_fetch_due(admin, 5000));  // one request at a time
}

TEST_CASE("an answer replaces the entries and schedules the next refresh while open") {
    admin_state admin;
    admin.audit_shown = true;
    ui::audit_requested(admin);
    audit_answered(admin, audit_reply(200, {{1, 10, "root", "kick", "bob", "lobby", "", ""}}), 50'000);
    CHECK_FALSE(admin.audit_loading);
    REQUIRE(admin.audit.size() == 1);
    CHECK(admin.audit_updated == 50'000);
    CHECK(admin.audit_problem.empty());
    REQUIRE(admin.audit_due);
    CHECK(*admin.audit_due > 50'000);
    CHECK_FALSE(audit_fetch_due(admin, 50'001));
    CHECK(audit_fetch_due(admin, *admin.audit_due));
}

TEST_CASE("a refused fetch says why and keeps the entries already shown") {
    admin_state admin;
    admin.audit = {{1, 10, "root", "kick", "bob", "lobby", "", ""}};
    admin.audit_updated = 40'000;
    ui::audit_requested(admin);
    audit_answered(admin, audit_reply(403), 50'000);
    CHECK(admin.audit.size() == 1);
    CHECK(admin.audit_updated == 40'000);
    CHECK(admin.audit_problem.find("admins only") != std::string::npos);
    CHECK(admin.audit_due);  // tried again later, not in a loop
    CHECK(*admin.audit_due > 50'000);
}

TEST_CASE("one's own action asks for the log again soon, never later than already due") {
    admin_state admin;
    ui::audit_after_action(admin, 10'000);
    REQUIRE(admin.audit_due);
    const unix_ms soon = *admin.audit_due;
    CHECK(soon > 10'000);
    CHECK(soon <= 15'000);
    admin.audit_due = 10'500;
    ui::audit_after_action(admin, 10'000);
    CHECK(*admin.audit_due == 10'500);
}

TEST_CASE("audit entries read as what happened") {
    CHECK(ui::describe_audit_action({1, 0, "root", "kick", "bob", "lobby", "", ""}) ==
          "kicked bob from #lobby");
    CHECK(ui::describe_audit_action({2, 0, "root", "ban", "bob", "", "60 minutes", ""}) ==
          "banned bob (60 minutes)");
    CHECK(ui::describe_audit_action({3, 0, "root", "delete", "42", "lobby", "", ""}) ==
          "deleted message 42 in #lobby");
    CHECK(ui::describe_audit_action({4, 0, "root", "edit", "43", "dev", "", ""}) ==
          "edited message 43 in #dev");
    CHECK(ui::describe_audit_action({6, 0, "(cli)", "admin_create", "root", "", "", ""}) ==
          "created the admin account root");
    CHECK(ui::describe_audit_action({7, 0, "(cli)", "account_remove", "bob", "", "", ""}) ==
          "removed the account bob");
    CHECK(ui::describe_audit_action({8, 0, "(cli)", "unban", "10.0.0.7", "", "", ""}) ==
          "lifted the bans of 10.0.0.7");
    CHECK(ui::describe_audit_action({5, 0, "root", "mute", "bob", "dev", "5 minutes", ""}) ==
          "mute bob in #dev (5 minutes)");
    // Sign-ins and refusals, with the address they came from.
    CHECK(ui::describe_audit_action({9, 0, "dora", "login", "dora", "", "", "127.0.0.1"}) ==
          "signed in from 127.0.0.1");
    CHECK(ui::describe_audit_action(
              {10, 0, "(not a valid name)", "login_failed", "x y", "", "wrong password", "10.0.0.9"}) ==
          "failed to sign in as x y (wrong password) from 10.0.0.9");
    CHECK(ui::describe_audit_action({11, 0, "dora", "refused_kick", "bob", "lobby", "", "10.0.0.9"}) ==
          "was refused kick of bob in #lobby from 10.0.0.9");
    CHECK(ui::describe_audit_action({12, 0, "root", "ban_address", "10.0.0.9", "", "", ""}) ==
          "banned the address 10.0.0.9");
}
