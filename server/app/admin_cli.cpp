#include "app/admin_cli.hpp"

#include <chrono>
#include <ctime>
#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>

#include "accounts/account_db.hpp"
#include "accounts/credentials.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"
#include "store/postgres_control.hpp"
#include "store/postgres_handle.hpp"
#include "store/sqlite_backend.hpp"

namespace parley::server {

namespace {

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// The new admin's password: PARLEY_ADMIN_PASSWORD, else the first line of stdin.
std::string read_password() {
    if (const char* env = std::getenv("PARLEY_ADMIN_PASSWORD")) return env;
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

/// Who changed the database, to the servers that hear of it: never a server's own origin.
constexpr const char* cli_origin = "cli";

/// Tells the servers running on the PostgreSQL database `conninfo` of a change made here
/// (with SQLite there are none: the server must be stopped). A notice that cannot be sent
/// loses nothing: the row is stored and every server reads it at its next start.
void tell_running_servers(const std::string& conninfo, control_notice notice) {
    if (conninfo.empty()) return;
    std::string error;
    auto db = pg::connection::open(conninfo, error);
    if (db && pg::notify_control(*db, cli_origin, notice, error)) return;
    std::cerr << "parley-server: stored, but the running servers were not told (" << error
              << "); they apply it at their next start\n";
}

int create(accounts::account_db& db, const std::string& name) {
    if (!is_valid_user_name(name)) {
        std::cerr << "parley-server: names match ^[A-Za-z0-9_.-]{1,32}$\n";
        return 2;
    }
    const std::string password = read_password();
    if (password.size() < limits::min_password_bytes || password.size() > limits::max_password_bytes ||
        !is_valid_utf8(password)) {
        std::cerr << "parley-server: the password must be 8 to 1024 bytes of UTF-8 "
                     "(PARLEY_ADMIN_PASSWORD or the first line of stdin)\n";
        return 2;
    }
    auto hash = accounts::hash_password(password);
    if (!hash) {
        std::cerr << "parley-server: could not hash the password\n";
        return 1;
    }
    switch (db.insert_account(name, *hash, accounts::role::admin, now_ms())) {
        case accounts::account_db::insert_outcome::created:
            db.insert_audit({0, now_ms(), "(cli)", "admin_create", name, {}, {}, {}});
            std::cout << "created admin " << name << "\n";
            return 0;
        case accounts::account_db::insert_outcome::taken:
            std::cerr << "parley-server: the name " << name << " is taken\n";
            return 1;
        case accounts::account_db::insert_outcome::failed: break;
    }
    std::cerr << "parley-server: could not store the account: " << db.last_error() << "\n";
    return 1;
}

/// "2026-12-01 10:00 UTC": when a ban ends, as an operator reads it (`format` for others).
std::string utc_time(std::int64_t unix_ms, const char* format = "%Y-%m-%d %H:%M UTC") {
    const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[40];
    std::strftime(text, sizeof text, format, &parts);
    return text;
}

/// `admin audit [--limit N]`: the newest N entries, newest first, one a line:
/// "2026-12-01 10:00:05 UTC login actor=ann address=10.0.0.7" (empty fields left out).
int print_audit(accounts::account_db& db, int limit) {
    for (const auto& e : db.recent_audit(limit)) {
        std::cout << utc_time(e.at, "%Y-%m-%d %H:%M:%S UTC") << " " << e.action;
        const std::pair<const char*, const std::string*> fields[] = {
            {"actor", &e.actor}, {"target", &e.target}, {"channel", &e.channel},
            {"address", &e.address}, {"detail", &e.detail}};
        for (const auto& [key, value] : fields)
            if (!value->empty()) std::cout << " " << key << "=" << *value;
        std::cout << "\n";
    }
    return 0;
}

/// `admin bans`: one line per ban in force, "name bob until ..." or "address 10.0.0.7 until ...".
int list_bans(accounts::account_db& db) {
    const auto bans = db.bans_after(now_ms());
    if (!bans) {
        std::cerr << "parley-server: could not read the bans: " << db.last_error() << "\n";
        return 1;
    }
    for (const auto& ban : *bans) {
        if (!ban.folded_name.empty()) std::cout << "name " << ban.folded_name << " until " << utc_time(ban.until) << "\n";
        if (!ban.address.empty()) std::cout << "address " << ban.address << " until " << utc_time(ban.until) << "\n";
    }
    return 0;
}

/// `admin unban TARGET`: lifts the bans of the name TARGET and of the address TARGET
/// (an address such as 10.0.0.7 is also a valid name, so both are tried).
int unban(accounts::account_db& db, const std::string& target) {
    const int removed = db.remove_bans(fold_name(target), target);
    if (removed < 0) {
        std::cerr << "parley-server: could not remove the ban: " << db.last_error() << "\n";
        return 1;
    }
    if (removed == 0) {
        std::cerr << "parley-server: no ban of " << target << "\n";
        return 1;
    }
    db.insert_audit({0, now_ms(), "(cli)", "unban", target, {}, {}, {}});
    std::cout << "lifted " << removed << (removed == 1 ? " ban" : " bans") << " of " << target << "\n";
    return 0;
}

int run_command(accounts::account_db& db, const admin_command& command) {
    if (command.action == "create") return create(db, command.name);
    if (command.action == "bans") return list_bans(db);
    if (command.action == "unban") return unban(db, command.name);
    if (command.action == "audit") return print_audit(db, command.limit);
    if (command.action == "list") {
        const auto all = db.list_accounts();
        if (!all) {
            std::cerr << "parley-server: could not read the accounts: " << db.last_error() << "\n";
            return 1;
        }
        for (const auto& a : *all) std::cout << a.name << " " << accounts::to_string(a.level) << "\n";
        return 0;
    }
    if (db.remove_account(fold_name(command.name))) {
        db.insert_audit({0, now_ms(), "(cli)", "account_remove", command.name, {}, {}, {}});
        std::cout << "removed " << command.name << "\n";
        return 0;
    }
    std::cerr << "parley-server: no account named " << command.name << "\n";
    return 1;
}

}  // namespace

int run_admin(const admin_command& command) {
    if (!accounts::init_crypto()) {
        std::cerr << "parley-server: libsodium could not be initialised\n";
        return 1;
    }
    std::string error;
    std::unique_ptr<accounts::account_db> db;
    if (!command.postgres.empty()) {
        db = accounts::account_db::open_postgres(command.postgres, error);
        if (!db) {
            std::cerr << "parley-server: cannot use the PostgreSQL database: " << error << "\n";
            return 1;
        }
    } else {
        // The message tables first: their migration maps messages owned by account names
        // to account ids, which must happen before an account is removed or created here.
        if (!sqlite_backend::open(command.data_dir, {}, error)) {
            std::cerr << "parley-server: cannot open the data directory " << command.data_dir.string() << ": "
                      << error << "\n";
            return 1;
        }
        db = accounts::account_db::open(command.data_dir, error);
        if (!db) {
            std::cerr << "parley-server: cannot open the data directory " << command.data_dir.string() << ": "
                      << error << "\n";
            return 1;
        }
    }
    const int status = run_command(*db, command);
    // What changes the servers' caches: an account, a removal, a lifted ban.
    const std::string folded = fold_name(command.name);
    if (status == 0 && command.action == "create") tell_running_servers(command.postgres, {"account", {folded}});
    if (status == 0 && command.action == "remove") tell_running_servers(command.postgres, {"account_removed", {folded}});
    if (status == 0 && command.action == "unban")
        tell_running_servers(command.postgres, {"unban", {folded, command.name}});
    return status;
}

}  // namespace parley::server
