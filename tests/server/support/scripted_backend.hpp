#pragma once
// A batch_backend that counts transactions and fails what it is told to, for the tests of
// batching_store itself (no database).

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "metrics/metrics.hpp"
#include "store/batching_store.hpp"

namespace parley::server::test {

// Counts transactions; fails what it is told to. Called by whoever runs a batch (the
// storage thread, or a turn-end commit); the test reads the counters after waiting for a
// callback, which orders the accesses.
struct scripted_backend final : batch_backend {
    std::atomic<int> begins{0}, commits{0}, rollbacks{0};
    std::atomic<bool> fail_commit{false};
    std::atomic<bool> fail_begin{false};
    std::atomic<bool> fail_probe{false};
    std::atomic<int> probes{0};
    message_id next_id = 1;
    // Where a commit places the batch's events (0: as it goes, like SQLite); each write's
    // event takes the next place in its batch.
    stream_position base = 0;
    stream_position placed = 0;
    std::vector<std::vector<std::string>> announced;  ///< will_post_to's, batch by batch

    // Upkeep: a post with `wants_upkeep_after_post` makes wants_maintenance() true, like a
    // channel that went over its cap; each maintain() counts, and keeps wanting while
    // `busy_upkeeps` is above zero (a restart checkpoint refused as busy), then is done.
    std::atomic<bool> wants_upkeep_after_post{false};
    std::atomic<bool> upkeep_wanted{false};
    std::atomic<int> busy_upkeeps{0};
    std::atomic<int> upkeeps{0};
    /// Rounds of the storage thread: each wake-up asks whether upkeep waits, once.
    mutable std::atomic<int> storage_thread_rounds{0};

    bool wants_maintenance() const override {
        if (std::this_thread::get_id() == storage_thread_) ++storage_thread_rounds;
        return upkeep_wanted;
    }
    maintenance_step maintain(unix_ms) override {
        ++upkeeps;
        if (busy_upkeeps > 0)
            --busy_upkeeps;
        else
            upkeep_wanted = false;
        return {};
    }

    bool probe(std::string& error) override {
        // Only the storage thread probes, and its first round does.
        storage_thread_ = std::this_thread::get_id();
        ++probes;
        if (fail_probe) error = "connection refused";
        return !fail_probe;
    }

    bool begin(std::string& error) override {
        ++begins;
        placed = 0;
        if (fail_begin) error = "begin refused";
        return !fail_begin;
    }
    void will_post_to(std::vector<std::string> channels) override { announced.push_back(std::move(channels)); }
    stream_position committed_base() const override { return base; }
    bool commit(std::string& error) override {
        ++commits;
        if (fail_commit) error = "disk full";
        return !fail_commit;
    }
    void rollback() override { ++rollbacks; }

    /// While closed, post() marks `entered` and waits for open_gate(): a batch held mid-run.
    void close_gate() {
        std::lock_guard lock(gate_mutex_);
        gated_ = true;
    }
    void open_gate() {
        {
            std::lock_guard lock(gate_mutex_);
            gated_ = false;
        }
        gate_.notify_all();
    }
    std::atomic<bool> entered{false};

    post_result post(const new_message& m) override {
        {
            std::unique_lock lock(gate_mutex_);
            if (gated_) entered = true;
            gate_.wait(lock, [this] { return !gated_; });
        }
        post_result r;
        if (m.text == "poison") {
            r.error = "cannot store poison";
            return r;
        }
        r.outcome = store_outcome::ok;
        if (wants_upkeep_after_post) upkeep_wanted = true;
        if (base != 0) r.position = ++placed;
        r.message.id = next_id++;
        r.message.channel = m.channel;
        r.message.text = m.text;
        return r;
    }
    change_result change(const message_change& c) override {
        change_result r;
        r.outcome = store_outcome::ok;
        if (base != 0) r.position = ++placed;
        r.what = c.what;
        r.id = c.id;
        return r;
    }
    history_result history(const history_query&) override {
        history_result r;
        r.outcome = store_outcome::ok;
        return r;
    }
    channels_result channels() override {
        channels_result r;
        r.outcome = store_outcome::ok;
        return r;
    }

private:
    std::atomic<std::thread::id> storage_thread_{};
    std::mutex gate_mutex_;
    std::condition_variable gate_;
    bool gated_ = false;
};

/// A batching_store over a scripted_backend, with the metrics it reports to.
struct scripted_store {
    scripted_backend* backend = nullptr;  // owned by the store
    server_metrics metrics;
    std::unique_ptr<batching_store> store;

    explicit scripted_store(maintenance_options maintenance = {}, turn_end_commit caller_commit = {}) {
        auto b = std::make_unique<scripted_backend>();
        backend = b.get();
        store = std::make_unique<batching_store>(std::move(b), &metrics, job_queue_limits{},
                                                 std::move(maintenance), std::move(caller_commit));
    }
};

}  // namespace parley::server::test
