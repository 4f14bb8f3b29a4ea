#pragma once
// Accounts as a service: registration, login, logout and the audit log for the HTTP API,
// token checks for WebSocket upgrades, and the chat::directory the hub asks about names
// and bans. Password hashing and database work run on a worker thread of its own, never
// on the event loop; lookups the event loop needs are answered from memory.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "accounts/account_db.hpp"
#include "accounts/login_throttle.hpp"
#include "accounts/registration_limit.hpp"
#include "chat/directory.hpp"

namespace parley::server::accounts {

/// An answer for the HTTP API: status, JSON body, and Retry-After seconds for 429.
struct api_answer {
    unsigned status = 500;
    std::string body;
    std::optional<std::int64_t> retry_after_s;
};

/// Bounds on what the network may ask of the accounts worker. Each default has its reason.
struct account_limits {
    /// Registrations per address per hour, all at once if need be; 0: no limit. Ten lets a
    /// household sign up together, and a million accounts from one address take 11 years.
    int registrations_per_hour = 10;
    /// Password hashes (register, login) waiting for the worker at most: each takes about
    /// 0.1 s, so 32 queued is some 3 s of wait; beyond that a caller is told to come back
    /// (503) rather than queued without end.
    std::size_t max_queued_hashes = 32;
};

/// Who a valid token belongs to.
struct signed_in {
    std::int64_t account_id = 0;
    std::string name;
    role level = role::user;
};

/// Owned by the server; outlives every session. All members are thread-safe. Callbacks
/// run on the service's worker thread: hand the answer onward, do not block.
class account_service final : public chat::directory {
public:
    using done = std::function<void(api_answer)>;

    /// Tokens unused this long stop working (the issue: 30 days idle).
    static constexpr std::int64_t token_idle_ms = 30LL * 24 * 60 * 60 * 1000;

    /// Opens the account tables under `data_dir` and loads names, tokens and bans in force;
    /// null with `error` set when it cannot.
    static std::unique_ptr<account_service> open(const std::filesystem::path& data_dir, account_limits limits,
                                                 std::string& error);
    /// The same on account tables already open (SQLite or PostgreSQL).
    static std::unique_ptr<account_service> open(std::unique_ptr<account_db> db, account_limits limits,
                                                 std::string& error);
    ~account_service() override;

    /// Sets the check "does an online guest hold this folded name?" (registering it is 409).
    void set_guest_lookup(std::function<bool(std::string_view)> lookup);

    /// POST /api/register from `address`: 403 when the name or the address is banned, 429
    /// with Retry-After past the address's registrations per hour, 503 when the worker is
    /// full.
    void register_account(std::string name, std::string password, std::string address, done callback);
    /// POST /api/login from `address`: 403 from a banned address, or for a banned account
    /// once its password is verified (so a ban reveals nothing about other passwords); 503
    /// with Retry-After when the worker is full.
    void login(std::string name, std::string password, std::string address, done callback);
    /// POST /api/logout from `address`: the token stops working at once.
    void logout(std::string token, std::string address, done callback);
    /// The audit log for a token of an admin (403 otherwise, 401 for a bad token), the
    /// newest `limit` entries first.
    void audit_log(std::string token, int limit, done callback);

    /// The account a token belongs to, if the token is valid and not expired. Marks it used.
    std::optional<signed_in> verify_token(std::string_view token);

    // chat::directory
    bool is_account_name(std::string_view folded) const override;
    bool is_banned(std::string_view folded, std::string_view address) const override;
    void record_ban(const std::string& actor, const std::string& folded, const std::vector<std::string>& addresses,
                    std::int64_t until_ms) override;
    void record(chat::moderation_event event) override;

    /// Servers sharing a database keep their caches of it and their counts in step:
    /// `listener` is told of each change made here (kind and arguments: "account" folded;
    /// "token" hash, account id, time; "logout" hash; "login_failed" account key, address
    /// key, time; "login_ok" account key; "registration" address, time) and the server
    /// passes on the other servers' changes, their bans ("ban" folded, until, addresses)
    /// and the admin command's ("account_removed" folded; "unban" folded, address), to
    /// apply_remote_change(). Set before use.
    using change_listener = std::function<void(std::string kind, std::vector<std::string> args)>;
    void set_change_listener(change_listener listener) { changed_ = std::move(listener); }
    void apply_remote_change(const std::string& kind, const std::vector<std::string>& args);
    /// Reads accounts, tokens and bans from the database again, on the worker, and makes
    /// the caches what it holds: for a server that may have missed the others' notices
    /// (its stream connection was down), so that a logout, a ban or an unban made
    /// meanwhile applies here too, and a login or an account made meanwhile works here.
    /// What changes while the tables are read is applied again on top. `finished` is called on
    /// the worker once it is over, with the names the database bans that were not banned
    /// here. When the read fails the caches stay as they were, and a warning says so.
    void resync(std::function<void(std::vector<std::string> newly_banned)> finished);

    /// Finishes queued work and stops the worker. Safe to call twice.
    void stop();

    account_service(std::unique_ptr<account_db> db, account_limits limits);

private:
    struct token_entry {
        std::int64_t account_id = 0;
        std::int64_t last_used = 0;
        std::int64_t last_written = 0;  ///< last_used as last stored
    };
    struct account_entry {
        std::string name;
        role level = role::user;
    };

    void remember_account(const account& a);
    /// What the caches are made from.
    struct stored_state {
        std::vector<account> accounts;
        std::vector<token_row> tokens;
        std::vector<ban_row> bans;
    };
    /// Worker thread (or start-up): nullopt when a read failed.
    std::optional<stored_state> read_state(std::int64_t now);
    /// Under mutex_: replaces the caches with `state` and applies replayed_ on top; the
    /// names banned now that were not before.
    std::vector<std::string> install_state(stored_state state, std::int64_t now);
    /// Under mutex_: a change to the caches (apply_remote_change's kinds but the counts).
    void apply_change(const std::string& kind, const std::vector<std::string>& args);
    /// Appends to the audit log on the worker (nothing once stopped). Any thread.
    void audit(audit_entry entry);
    /// Appends to the audit log now. Worker thread only: a task there writes its entry
    /// before it answers, so a read of the log queued after the answer sees the entry
    /// (a post from the worker's own thread may run after posts from other threads).
    void write_audit(audit_entry entry);
    /// Runs `work(answer)` on the worker; an exception it throws is logged and answered
    /// with 500 through `callback` (unless `work` had answered), never let out of the worker.
    template <class Work>
    void on_worker(done callback, Work work);
    /// Counts one more queued password hash; false (nothing counted) when the queue is full.
    bool admit_hash();

    /// A queued hash's place, given back when its job ends however it ends.
    struct hash_slot {
        std::atomic<std::size_t>* queued;
        explicit hash_slot(std::atomic<std::size_t>& q) : queued(&q) {}
        hash_slot(hash_slot&& other) noexcept : queued(std::exchange(other.queued, nullptr)) {}
        hash_slot(const hash_slot&) = delete;
        hash_slot& operator=(const hash_slot&) = delete;
        hash_slot& operator=(hash_slot&&) = delete;
        ~hash_slot() {
            if (queued) queued->fetch_sub(1);
        }
    };

    std::unique_ptr<account_db> db_;  ///< worker thread only
    boost::asio::thread_pool worker_{1};
    login_throttle throttle_;
    registration_limit registrations_;
    const std::size_t max_queued_hashes_;
    std::atomic<std::size_t> queued_hashes_{0};
    std::function<bool(std::string_view)> guest_online_;
    change_listener changed_;

    mutable std::mutex mutex_;  ///< guards the caches below
    std::unordered_map<std::string, account_entry> accounts_by_folded_;
    /// Names being registered (password hashing): taken for guests and other sign-ups,
    /// but kept apart from accounts_by_folded_ so that giving one back can never erase
    /// an account a concurrent login has just remembered.
    std::unordered_set<std::string> reserved_names_;
    std::unordered_map<std::int64_t, std::string> folded_by_id_;
    std::unordered_map<std::string, token_entry> tokens_;  ///< by token hash
    std::vector<ban_row> bans_;
    /// Re-reads of the tables in flight, and the changes made or heard since the first of
    /// them began (kind and arguments, as apply_remote_change takes them).
    int resyncs_ = 0;
    std::vector<std::pair<std::string, std::vector<std::string>>> replayed_;
    bool stopped_ = false;
};

}  // namespace parley::server::accounts
