#pragma once
// A message_store that runs a batch_backend with group commit: on its storage thread, or
// at the end of an idle event loop's turn (turn_end_commit).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "metrics/metrics.hpp"
#include "store/batch_backend.hpp"
#include "store/bounded_job_queue.hpp"
#include "store/store.hpp"

namespace parley::server {

/// When the storage thread runs the backend's upkeep (maintain()) between batches.
struct maintenance_options {
    /// Between two steps that left work: 500 rows a step and 20 ms apart deletes some
    /// 25,000 rows a second while posts wait for one ~1 ms step at most.
    std::chrono::milliseconds pause{20};
    /// Between checks when nothing was known to wait: retention counts in days, so a
    /// minute late is nothing, and an idle check is one indexed read.
    std::chrono::milliseconds interval{std::chrono::minutes(1)};
    /// Between checks that the database answers while no batch ran (readiness, /readyz).
    std::chrono::milliseconds probe_interval{2000};
    /// The time maintain() is given (tests inject one); null: the system clock.
    std::function<unix_ms()> clock;
};

/// Lets the event loop that queued a job commit it itself, at the end of the loop's turn,
/// instead of waking the storage thread.
///
/// Why: with posts spread over many channels (W2), nearly every batch holds one post, and
/// handing it over cost two wake-ups across threads (the storage thread's, then the loop's
/// for the answer) beside the commit itself: on this project's paravirtualised machines
/// about half as much CPU again as the commit. Why at the end of the turn, not at once:
/// the posts a loop read in one turn then commit together. Why only on an idle loop: a
/// loop busy with one big channel's fan-out (W1) has better use for its core; its batches
/// go to the storage thread on another core, as before (docs/benchmarks.md has the
/// figures). Only for a database whose commit does not wait for the disk (SQLite with
/// `--sync normal`): an event loop never waits for a flush or the network.
struct turn_end_commit {
    /// Runs `task` on the calling thread after what its event loop has already queued;
    /// false (and `task` dropped) when the calling thread runs no event loop. Null: every
    /// batch runs on the storage thread.
    std::function<bool(std::function<void()>)> defer;
    /// A deferred commit that waited longer than this for its turn is on a busy loop and is
    /// left to the storage thread.
    std::chrono::microseconds busy_after{200};
};

/// Every operation queued while the previous batch ran goes into the next batch: one
/// transaction, one commit, then the callbacks in queue order. Throughput therefore does
/// not hinge on one commit per message. Reads run in queue order too, inside the batch's
/// transaction when it has writes, so they see every write enqueued before them.
/// Owns the backend and the storage thread; any thread may call the members. Whoever runs
/// a batch (the storage thread, or an event loop with turn_end_commit) holds the committer
/// lock while taking the jobs and until their callbacks return, so batches keep queue order.
class batching_store final : public message_store {
public:
    /// Starts the storage thread. `metrics` may be null (tests); it must outlive the store.
    batching_store(std::unique_ptr<batch_backend> backend, server_metrics* metrics,
                   job_queue_limits limits = {}, maintenance_options maintenance = {},
                   turn_end_commit caller_commit = {});
    ~batching_store() override;

    void post(new_message message, post_callback done) override;
    void history(history_query query, history_callback done) override;
    void change(message_change request, change_callback done) override;
    void channels(channels_callback done) override;
    void flush_and_stop() override;

private:
    template <class Request, class Result>
    struct job {
        Request request;
        std::function<void(Result)> done;
        Result result{};
    };
    struct no_request {};
    using post_job = job<new_message, post_result>;
    using history_job = job<history_query, history_result>;
    using change_job = job<message_change, change_result>;
    using channels_job = job<no_request, channels_result>;
    using any_job = std::variant<post_job, history_job, change_job, channels_job>;

    /// What a deferred commit holds of the store: it may run after the store is gone.
    struct lifetime {
        std::shared_mutex guard;          // shared while a deferred commit runs
        batching_store* store = nullptr;  // null once stopped; written under guard, exclusive
    };

    void enqueue(any_job&& work, std::size_t bytes);
    /// Queues this thread's turn-end commit unless it is queued already; else wakes the
    /// storage thread.
    void commit_at_turn_end();
    static void run_turn_end_commit(lifetime& life, std::uint64_t store_id,
                                    std::chrono::steady_clock::time_point queued_at);
    void commit_on_this_loop(std::chrono::steady_clock::time_point queued_at);
    void run();
    void run_batch(std::vector<any_job>& batch);
    /// Every channel the batch's posts go to, sorted, each once (batch_backend::will_post_to).
    static std::vector<std::string> channels_posted_to(const std::vector<any_job>& batch);
    /// Moves the committed batch's write results from their place in the batch to their
    /// place in the stream (batch_backend::committed_base).
    static void place_in_stream(std::vector<any_job>& batch, stream_position base);
    /// Runs one upkeep step if due; returns when the next one is.
    std::chrono::steady_clock::time_point maintain(std::chrono::steady_clock::time_point due);
    /// Probes the database if no batch reached it for probe_interval; returns when next.
    std::chrono::steady_clock::time_point probe_if_idle();

    std::unique_ptr<batch_backend> backend_;  // under committer_, until stopped
    server_metrics* metrics_;
    bounded_job_queue<any_job> queue_;
    maintenance_options maintenance_;
    turn_end_commit caller_commit_;
    const std::uint64_t id_;  // tells this store's queued turn-end commit from another's
    std::shared_ptr<lifetime> lifetime_ = std::make_shared<lifetime>();
    std::mutex committer_;  // held by whoever takes jobs and runs them, and for upkeep
    /// Set by a turn-end commit that found the committer taken: the loop holding it runs
    /// another batch before returning.
    std::atomic<bool> jobs_wait_for_committer_{false};
    std::chrono::steady_clock::time_point upkeep_backoff_until_{};  // storage thread only
    std::chrono::steady_clock::time_point probe_due_{};             // under committer_
    std::mutex stop_mutex_;  // serialises flush_and_stop()
    std::thread thread_;
    std::thread::id storage_thread_id_;
};

}  // namespace parley::server
