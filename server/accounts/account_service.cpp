#include "accounts/account_service.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "accounts/credentials.hpp"
#include "log/log.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"

namespace parley::server::accounts {

namespace net = boost::asio;
using nlohmann::json;

namespace {

/// How often a token's last use is written back: its idle expiry is 30 days, so an hour's
/// imprecision is nothing, and a busy client does not write on every connect.
constexpr std::int64_t touch_interval_ms = 60LL * 60 * 1000;

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

api_answer error_answer(unsigned status, std::string_view text) {
    return {status, json{{"error", text}}.dump(), std::nullopt};
}

/// Login failures answer the same whether or not the name exists.
api_answer bad_credentials() { return error_answer(401, "invalid name or password"); }

/// A 429 when `account_key` or `address_key` must still wait at `now`, nullopt otherwise.
std::optional<api_answer> throttled(const login_throttle& throttle, const std::string& account_key,
                                    const std::string& address_key, std::int64_t now) {
    const auto wait = std::max(throttle.wait_ms(account_key, now), throttle.wait_ms(address_key, now));
    if (wait <= 0) return std::nullopt;
    auto answer = error_answer(429, "too many failed logins; try again later");
    answer.retry_after_s = (wait + 999) / 1000;
    return answer;
}

/// The worker has more password hashes queued than it may: come back in a second.
api_answer busy() {
    auto answer = error_answer(503, "the server is busy; try again in a moment");
    answer.retry_after_s = 1;
    return answer;
}

bool acceptable_password(std::string_view password) {
    return password.size() >= limits::min_password_bytes && password.size() <= limits::max_password_bytes &&
           is_valid_utf8(password);
}

/// A notice's number argument; 0 when it is not one.
std::int64_t number_of(const std::string& text) {
    std::int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

}  // namespace

std::unique_ptr<account_service> account_service::open(const std::filesystem::path& data_dir, account_limits limits,
                                                       std::string& error) {
    auto db = account_db::open(data_dir, error);
    if (!db) return nullptr;
    return open(std::move(db), limits, error);
}

std::unique_ptr<account_service> account_service::open(std::unique_ptr<account_db> db, account_limits limits,
                                                       std::string& error) {
    if (!init_crypto()) {
        error = "libsodium could not be initialised";
        return nullptr;
    }
    return std::make_unique<account_service>(std::move(db), limits);
}

account_service::account_service(std::unique_ptr<account_db> db, account_limits limits)
    : db_(std::move(db)),
      registrations_(limits.registrations_per_hour),
      max_queued_hashes_(std::max<std::size_t>(limits.max_queued_hashes, 1)) {
    // Start-up only, before any other thread sees the service.
    const auto now = now_ms();
    db_->delete_tokens_before(now - token_idle_ms);
    if (auto state = read_state(now))
        install_state(std::move(*state), now);
    else
        log_error("accounts: could not read the account tables: " + db_->last_error());
}

std::optional<account_service::stored_state> account_service::read_state(std::int64_t now) {
    auto all = db_->list_accounts();
    auto tokens = all ? db_->tokens_since(now - token_idle_ms) : std::nullopt;
    auto bans = tokens ? db_->bans_after(now) : std::nullopt;
    if (!bans) return std::nullopt;
    return stored_state{std::move(*all), std::move(*tokens), std::move(*bans)};
}

std::vector<std::string> account_service::install_state(stored_state state, std::int64_t now) {
    std::unordered_set<std::string> banned_before;
    for (const auto& b : bans_)
        if (!b.folded_name.empty() && b.until > now) banned_before.insert(b.folded_name);
    accounts_by_folded_.clear();
    folded_by_id_.clear();
    for (const auto& a : state.accounts) remember_account(a);
    std::unordered_map<std::string, token_entry> tokens;
    for (const auto& t : state.tokens) {
        token_entry entry{t.account_id, t.last_used, t.last_used};
        // A use seen here but not written yet still counts.
        if (auto known = tokens_.find(t.hash); known != tokens_.end())
            entry.last_used = std::max(entry.last_used, known->second.last_used);
        tokens.emplace(t.hash, entry);
    }
    tokens_ = std::move(tokens);
    bans_ = std::move(state.bans);
    // What changed while the tables were read may not be in what was read: applied again.
    for (const auto& [kind, args] : replayed_) apply_change(kind, args);
    std::vector<std::string> newly_banned;
    for (const auto& b : bans_)
        if (!b.folded_name.empty() && b.until > now && banned_before.insert(b.folded_name).second)
            newly_banned.push_back(b.folded_name);
    return newly_banned;
}

void account_service::resync(std::function<void(std::vector<std::string>)> finished) {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        ++resyncs_;
    }
    net::post(worker_, [this, finished = std::move(finished)] {
        const auto now = now_ms();
        auto state = read_state(now);
        std::vector<std::string> newly_banned;
        {
            std::lock_guard lock(mutex_);
            if (state) newly_banned = install_state(std::move(*state), now);
            if (--resyncs_ == 0) replayed_.clear();
        }
        if (!state)
            log_warn("accounts: could not read the account tables again (" + db_->last_error() +
                     "); keeping what this server knew");
        if (finished) finished(std::move(newly_banned));
    });
}

account_service::~account_service() { stop(); }

void account_service::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
    }
    worker_.join();
}

bool account_service::admit_hash() {
    if (queued_hashes_.fetch_add(1) < max_queued_hashes_) return true;
    queued_hashes_.fetch_sub(1);
    return false;
}

void account_service::remember_account(const account& a) {
    const std::string folded = fold_name(a.name);
    accounts_by_folded_[folded] = account_entry{a.name, a.level};
    folded_by_id_[a.id] = folded;
}

void account_service::set_guest_lookup(std::function<bool(std::string_view)> lookup) {
    guest_online_ = std::move(lookup);
}

template <class Work>
void account_service::on_worker(done callback, Work work) {
    net::post(worker_, [callback = std::move(callback), work = std::move(work)]() mutable {
        bool answered = false;
        const done answer = [&](api_answer a) {
            answered = true;
            callback(std::move(a));
        };
        try {
            work(answer);
            return;
        } catch (const std::exception& e) {
            log_error(std::string("accounts worker: ") + e.what());
        } catch (...) {
            log_error("accounts worker: unknown exception");
        }
        if (answered) return;
        try {
            callback(error_answer(500, "internal error"));
        } catch (...) {
            log_error("accounts worker: the error answer failed too");
        }
    });
}

void account_service::audit(audit_entry entry) {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
    }
    net::post(worker_, [this, entry = std::move(entry)]() mutable { write_audit(std::move(entry)); });
}

void account_service::write_audit(audit_entry entry) {
    try {
        if (entry.at == 0) entry.at = now_ms();
        if (!db_->insert_audit(entry)) log_error("audit: " + db_->last_error());
    } catch (const std::exception& e) {
        log_error(std::string("audit: ") + e.what());
    }
}

namespace {

/// A name as the audit log may show it: what was typed when it could be a name, else a
/// placeholder (no arbitrary bytes from the network in the log).
std::string audit_name(const std::string& typed) {
    return is_valid_user_name(typed) ? typed : std::string("(not a valid name)");
}

}  // namespace

void account_service::register_account(std::string name, std::string password, std::string address,
                                       done callback) {
    if (!is_valid_user_name(name)) return callback(error_answer(400, "names match ^[A-Za-z0-9_.-]{1,32}$"));
    if (!acceptable_password(password))
        return callback(error_answer(400, "passwords are 8 to 1024 bytes of UTF-8"));
    const std::string folded = fold_name(name);
    // An account made under a ban could never connect; say so now instead of with a 201.
    if (is_banned(folded, address)) return callback(error_answer(403, "banned"));
    // The name counts as taken from here on, while the password is hashed (~0.1 s), so
    // that no guest and no other sign-up can take it in the meantime. The reservation is
    // its own entry, given back when this registration ends however it ends; accounts are
    // only ever added to the account cache, so a refusal here cannot erase one that a
    // concurrent login remembered.
    {
        std::lock_guard lock(mutex_);
        if (accounts_by_folded_.contains(folded) || !reserved_names_.insert(folded).second)
            return callback(error_answer(409, "name taken"));
    }
    // Given back when the last copy goes (shared_ptr runs its deleter for null too).
    auto reservation = std::shared_ptr<void>(nullptr, [this, folded](void*) {
        std::lock_guard lock(mutex_);
        reserved_names_.erase(folded);
    });
    if (guest_online_ && guest_online_(folded)) return callback(error_answer(409, "name taken"));
    // Counted only here, past the cheap refusals: a mistyped name costs no sign-up.
    if (const auto wait = registrations_.take(address, now_ms()); wait > 0) {
        auto answer = error_answer(429, "too many new accounts from this address; try again later");
        answer.retry_after_s = (wait + 999) / 1000;
        return callback(std::move(answer));
    }
    if (!admit_hash()) {
        registrations_.give_back(address);
        return callback(busy());
    }
    // The other servers count it too: an address's sign-ups are limited across them all.
    if (changed_) changed_("registration", {address, std::to_string(now_ms())});
    on_worker(std::move(callback), [this, name = std::move(name), password = std::move(password), folded,
                                    address = std::move(address), reservation = std::move(reservation),
                                    slot = hash_slot(queued_hashes_)](const done& answer) mutable {
        auto hash = hash_password(password);
        if (!hash) return answer(error_answer(500, "could not hash the password"));
        const auto outcome = db_->insert_account(name, *hash, role::user, now_ms());
        if (outcome == account_db::insert_outcome::failed) {
            log_error("register: " + db_->last_error());
            return answer(error_answer(500, "could not store the account"));
        }
        // Created, or taken in the database (by `parley-server admin create`): either way
        // the account is remembered before the reservation is given back.
        if (auto stored = db_->find_account(folded)) {
            std::lock_guard lock(mutex_);
            remember_account(*stored);
        }
        reservation.reset();
        if (outcome == account_db::insert_outcome::taken) return answer(error_answer(409, "name taken"));
        if (changed_) changed_("account", {folded});
        write_audit({0, 0, name, "register", name, {}, {}, address});
        answer({201, json{{"user", name}, {"role", "user"}}.dump(), std::nullopt});
    });
}

void account_service::login(std::string name, std::string password, std::string address, done callback) {
    // Names are at most 32 bytes; a longer one cannot be an account, and cutting it keeps
    // each throttle key small however long the name an attacker sends (bodies reach 16 KiB).
    const std::string account_key =
        "a:" + fold_name(std::string_view(name).substr(0, limits::max_user_name_bytes + 1));
    const std::string address_key = "ip:" + address;
    // Checked before the password: a throttled login is refused even when it is right.
    if (auto refused = throttled(throttle_, account_key, address_key, now_ms())) return callback(std::move(*refused));
    // Its upgrades are refused anyway (403); no token for a connection that cannot open.
    if (is_banned({}, address)) return callback(error_answer(403, "banned"));
    if (!admit_hash()) return callback(busy());
    on_worker(std::move(callback), [this, name = std::move(name), password = std::move(password), account_key,
                                    address_key, address = std::move(address),
                                    slot = hash_slot(queued_hashes_)](const done& answer) {
        // And again here: attempts sent in parallel all pass the check above before the
        // first of them fails, but the worker verifies them one at a time.
        if (auto refused = throttled(throttle_, account_key, address_key, now_ms())) return answer(std::move(*refused));
        auto fail = [&](const char* why) {
            const auto t = now_ms();
            throttle_.record_failure(account_key, t);
            throttle_.record_failure(address_key, t);
            // Counted on every server: guesses spread over them are throttled as one. A name
            // that cannot be an account is not passed on (it could hold a newline or bytes
            // a notification refuses); its address still is.
            if (changed_)
                changed_("login_failed", {is_valid_user_name(name) ? account_key : std::string(), address_key,
                                          std::to_string(t)});
            write_audit({0, t, audit_name(name), "login_failed", audit_name(name), {}, why, address});
            answer(bad_credentials());
        };
        std::optional<account> found;
        if (is_valid_user_name(name) && acceptable_password(password)) found = db_->find_account(fold_name(name));
        if (!found) {
            verify_against_dummy(password);
            return fail("no such account");
        }
        if (!verify_password(found->password_hash, password)) return fail("wrong password");
        throttle_.clear(account_key);
        if (changed_) changed_("login_ok", {account_key});
        if (is_banned(fold_name(found->name), {})) {
            write_audit({0, 0, found->name, "login_failed", found->name, {}, "banned account", address});
            return answer(error_answer(403, "this account is banned"));
        }
        const std::string token = new_token();
        const std::string hash = token_hash(token);
        const auto t = now_ms();
        if (!db_->insert_token(hash, found->id, t)) {
            log_error("login: " + db_->last_error());
            return answer(error_answer(500, "could not store the session"));
        }
        {
            std::lock_guard lock(mutex_);
            remember_account(*found);
            tokens_[hash] = token_entry{found->id, t, t};
        }
        if (changed_) changed_("token", {hash, std::to_string(found->id), std::to_string(t)});
        write_audit({0, t, found->name, "login", found->name, {}, {}, address});
        answer({200, json{{"token", token}, {"user", found->name}, {"role", to_string(found->level)}}.dump(),
                std::nullopt});
    });
}

void account_service::logout(std::string token, std::string address, done callback) {
    const std::string hash = token_hash(token);
    std::string who;
    {
        std::lock_guard lock(mutex_);
        auto it = tokens_.find(hash);
        if (it == tokens_.end()) return callback(error_answer(401, "invalid or revoked token"));
        if (auto folded = folded_by_id_.find(it->second.account_id); folded != folded_by_id_.end())
            if (auto entry = accounts_by_folded_.find(folded->second); entry != accounts_by_folded_.end())
                who = entry->second.name;
        tokens_.erase(it);
        if (resyncs_ > 0) replayed_.push_back({"logout", {hash}});
    }
    // Every other server refuses it too, as soon as it hears.
    if (changed_) changed_("logout", {hash});
    audit({0, 0, who, "logout", who, {}, {}, address});
    // The token stopped working above, at once; the row goes on the worker.
    on_worker(std::move(callback), [this, hash](const done& answer) {
        db_->delete_token(hash);
        answer({204, std::string(), std::nullopt});
    });
}

void account_service::audit_log(std::string token, int limit, done callback) {
    auto who = verify_token(token);
    if (!who) return callback(error_answer(401, "invalid or revoked token"));
    if (who->level != role::admin) return callback(error_answer(403, "admins only"));
    on_worker(std::move(callback), [this, limit](const done& answer) {
        json entries = json::array();
        for (const auto& e : db_->recent_audit(limit))
            entries.push_back({{"id", e.id},
                               {"at", e.at},
                               {"actor", e.actor},
                               {"action", e.action},
                               {"target", e.target},
                               {"channel", e.channel},
                               {"detail", e.detail},
                               {"address", e.address}});
        // Entries written before names were checked may hold any bytes: replaced, not thrown.
        answer({200, json{{"entries", std::move(entries)}}.dump(-1, ' ', false, json::error_handler_t::replace),
                std::nullopt});
    });
}

std::optional<signed_in> account_service::verify_token(std::string_view token) {
    const std::string hash = token_hash(token);
    const auto now = now_ms();
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(hash);
    if (it == tokens_.end()) return std::nullopt;
    if (now - it->second.last_used > token_idle_ms) {
        tokens_.erase(it);
        if (!stopped_) net::post(worker_, [this, hash] { db_->delete_token(hash); });
        return std::nullopt;
    }
    it->second.last_used = now;
    if (now - it->second.last_written > touch_interval_ms && !stopped_) {
        it->second.last_written = now;
        net::post(worker_, [this, hash, now] { db_->touch_token(hash, now); });
    }
    // A token whose account is not (or no longer) known opens nothing; never a throw.
    auto folded = folded_by_id_.find(it->second.account_id);
    if (folded == folded_by_id_.end()) return std::nullopt;
    auto entry = accounts_by_folded_.find(folded->second);
    if (entry == accounts_by_folded_.end()) return std::nullopt;
    return signed_in{it->second.account_id, entry->second.name, entry->second.level};
}

void account_service::apply_remote_change(const std::string& kind, const std::vector<std::string>& args) {
    if (kind == "login_failed" && args.size() == 3) {
        // Throttles and limits count by themselves (they lock themselves); a count is
        // nothing a re-read of the tables repairs.
        const std::int64_t t = number_of(args[2]);
        if (!args[0].empty()) throttle_.record_failure(args[0], t);
        throttle_.record_failure(args[1], t);
        return;
    }
    if (kind == "login_ok" && args.size() == 1) {
        throttle_.clear(args[0]);
        return;
    }
    if (kind == "registration" && args.size() == 2) {
        registrations_.take(args[0], number_of(args[1]));
        return;
    }
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    if (resyncs_ > 0) replayed_.push_back({kind, args});
    apply_change(kind, args);
}

void account_service::apply_change(const std::string& kind, const std::vector<std::string>& args) {
    if (kind == "logout" && args.size() == 1) {
        tokens_.erase(args[0]);
    } else if (kind == "token" && args.size() == 3) {
        const std::int64_t id = number_of(args[1]), t = number_of(args[2]);
        tokens_[args[0]] = token_entry{id, t, t};
        // An account registered elsewhere since start-up is read from the database.
        if (!folded_by_id_.contains(id)) {
            net::post(worker_, [this, id] {
                if (auto found = db_->find_account_by_id(id)) {
                    std::lock_guard relock(mutex_);
                    remember_account(*found);
                }
            });
        }
    } else if (kind == "account" && args.size() == 1) {
        net::post(worker_, [this, folded = args[0]] {
            if (auto found = db_->find_account(folded)) {
                std::lock_guard relock(mutex_);
                remember_account(*found);
            }
        });
    } else if (kind == "account_removed" && args.size() == 1) {
        // By `parley-server admin remove` on a running deployment: its tokens open nothing now.
        if (auto it = accounts_by_folded_.find(args[0]); it != accounts_by_folded_.end()) {
            std::erase_if(folded_by_id_, [&](const auto& entry) { return entry.second == args[0]; });
            accounts_by_folded_.erase(it);
        }
    } else if (kind == "unban" && args.size() == 2) {
        // By `parley-server admin unban`: the name args[0] and the address args[1].
        std::erase_if(bans_, [&](const ban_row& b) {
            return (!args[0].empty() && b.folded_name == args[0]) || (!args[1].empty() && b.address == args[1]);
        });
    } else if (kind == "ban" && args.size() >= 2) {
        // The row is written by the banning server; this one refuses at once.
        const std::int64_t until = number_of(args[1]);
        bans_.push_back({args[0], {}, until});
        for (std::size_t i = 2; i < args.size(); ++i) bans_.push_back({{}, args[i], until});
    }
}

bool account_service::is_account_name(std::string_view folded) const {
    std::lock_guard lock(mutex_);
    const std::string key(folded);
    return accounts_by_folded_.contains(key) || reserved_names_.contains(key);
}

bool account_service::is_banned(std::string_view folded, std::string_view address) const {
    const auto now = now_ms();
    std::lock_guard lock(mutex_);
    for (const auto& ban : bans_) {
        if (ban.until <= now) continue;
        if (!folded.empty() && ban.folded_name == folded) return true;
        if (!address.empty() && ban.address == address) return true;
    }
    return false;
}

void account_service::record_ban(const std::string& actor, const std::string& folded,
                                 const std::vector<std::string>& addresses, std::int64_t until_ms) {
    std::vector<ban_row> rows;
    rows.push_back({folded, {}, until_ms});
    for (const auto& address : addresses) rows.push_back({{}, address, until_ms});
    {
        std::lock_guard lock(mutex_);
        std::erase_if(bans_, [now = now_ms()](const ban_row& b) { return b.until <= now; });
        bans_.insert(bans_.end(), rows.begin(), rows.end());
        if (stopped_) return;
        if (resyncs_ > 0) {
            // Its rows are written after the re-read in flight: the re-read must not drop it.
            std::vector<std::string> args{folded, std::to_string(until_ms)};
            args.insert(args.end(), addresses.begin(), addresses.end());
            replayed_.push_back({"ban", std::move(args)});
        }
    }
    net::post(worker_, [this, actor, rows = std::move(rows)] {
        for (const auto& row : rows)
            if (!db_->insert_ban(row, actor, now_ms())) log_error("ban: " + db_->last_error());
    });
    // The name's ban is in the log as the hub's "ban"; the addresses it took along, here.
    for (const auto& address : addresses)
        audit({0, 0, actor, "ban_address", address, {}, "with the name " + folded, {}});
}

void account_service::record(chat::moderation_event event) {
    audit({0, 0, std::move(event.actor), std::move(event.action), std::move(event.target), std::move(event.channel),
           std::move(event.detail), std::move(event.address)});
}

}  // namespace parley::server::accounts
