#pragma once
// Helpers shared by the store tests: a fresh temporary data directory, blocking
// wrappers around the store's callbacks, and a way to hold the storage thread still.

#include <doctest/doctest.h>

#include <sqlite3.h>

#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "store/sqlite_backend.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace parley::server::test {

using parley::test::temp_dir;

/// Calls `start(callback)` and waits for the callback's result.
template <class Result, class Start>
Result wait_for(Start&& start) {
    auto promise = std::make_shared<std::promise<Result>>();
    auto future = promise->get_future();
    start([promise](Result r) { promise->set_value(std::move(r)); });
    return future.get();
}

inline post_result post_sync(message_store& store, new_message m) {
    return wait_for<post_result>([&](auto done) { store.post(std::move(m), done); });
}
inline history_result history_sync(message_store& store, history_query q) {
    return wait_for<history_result>([&](auto done) { store.history(std::move(q), done); });
}
inline change_result change_sync(message_store& store, message_change c) {
    return wait_for<change_result>([&](auto done) { store.change(std::move(c), done); });
}

/// An edit written as {id, text, requester, is_admin, at}.
struct edit_args {
    message_id id = 0;
    std::string text;
    std::string requester;
    bool is_admin = false;
    unix_ms at = 0;
};
/// A delete written as {id, requester, is_admin}.
struct removal_args {
    message_id id = 0;
    std::string requester;
    bool is_admin = false;
};
inline message_change edit_of(edit_args a) {
    return {message_change::kind::edit, a.id, std::move(a.text), std::move(a.requester), a.is_admin, a.at};
}
inline message_change removal_of(removal_args a) {
    return {message_change::kind::remove, a.id, {}, std::move(a.requester), a.is_admin, 0};
}
inline change_result edit_sync(message_store& store, edit_args a) {
    return change_sync(store, edit_of(std::move(a)));
}
inline change_result remove_sync(message_store& store, removal_args a) {
    return change_sync(store, removal_of(std::move(a)));
}
inline channels_result channels_sync(message_store& store) {
    return wait_for<channels_result>([&](auto done) { store.channels(done); });
}

/// A plausible time: 2023-11-14, well past the 24 h nonce window's start.
/// The ids of a history page, in order.
inline std::vector<message_id> ids_of(const history_result& h) {
    std::vector<message_id> ids;
    for (const auto& m : h.messages) ids.push_back(m.id);
    return ids;
}

/// Runs one SQL query returning a single integer on the database file directly, bypassing the store.
inline std::int64_t query_file(const std::filesystem::path& dir, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "parley.sqlite3").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const std::int64_t value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

inline constexpr unix_ms base_time = 1'700'000'000'000;

/// A message by account "ann" unless told otherwise.
inline new_message make_message(std::string channel, std::string text,
                                std::optional<std::string> nonce = std::nullopt, std::string owner = "a:ann",
                                unix_ms timestamp = base_time) {
    new_message m;
    m.channel = std::move(channel);
    m.user = owner.substr(2);
    m.text = std::move(text);
    m.timestamp = timestamp;
    m.resend_scope = owner;
    m.owner = std::move(owner);
    m.nonce = std::move(nonce);
    return m;
}

/// Opens the SQLite backend alone (no storage thread), for tests that drive its
/// transactions and upkeep step by step.
inline std::unique_ptr<sqlite_backend> open_backend(const std::filesystem::path& dir,
                                                    const sqlite_backend_options& options = {}) {
    std::string error;
    auto backend = sqlite_backend::open(dir, options, error);
    INFO(error);
    REQUIRE(backend != nullptr);
    return backend;
}

/// Posts `m` to a bare backend in a transaction of its own; returns its id.
inline message_id post_one(batch_backend& b, const new_message& m) {
    std::string error;
    REQUIRE(b.begin(error));
    const auto r = b.post(m);
    INFO(r.error);
    REQUIRE(r.outcome == store_outcome::ok);
    REQUIRE(b.commit(error));
    return r.message.id;
}

/// Opens the SQLite store with its storage thread.
inline std::unique_ptr<message_store> open_test_store(const std::filesystem::path& dir,
                                                      const sqlite_store_options& options = {}) {
    std::string error;
    auto store = open_sqlite_store(dir, options, nullptr, error);
    INFO(error);
    REQUIRE(store != nullptr);
    return store;
}

/// Holds the storage thread inside a callback from construction until release(), so
/// that every job queued meanwhile lands in one batch. Uses a read, which is not counted
/// as a batch in the metrics.
class storage_blocker {
public:
    explicit storage_blocker(message_store& store) {
        auto entered = std::make_shared<std::promise<void>>();
        auto entered_future = entered->get_future();
        auto go = go_.get_future().share();
        store.channels([entered, go](channels_result) {
            entered->set_value();
            go.wait();
        });
        entered_future.wait();
    }
    ~storage_blocker() { release(); }
    storage_blocker(const storage_blocker&) = delete;
    storage_blocker& operator=(const storage_blocker&) = delete;

    void release() {
        if (released_) return;
        released_ = true;
        go_.set_value();
    }

private:
    std::promise<void> go_;
    bool released_ = false;
};

}  // namespace parley::server::test
