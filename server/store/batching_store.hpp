#pragma once
// A message_store that runs a batch_backend on one storage thread with group commit.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
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

/// Every operation queued while the previous batch ran goes into the next batch: one
/// transaction, one commit, then the callbacks in queue order. Throughput therefore does
/// not hinge on one commit per message. Reads run in queue order too, inside the batch's
/// transaction when it has writes, so they see every write enqueued before them.
/// Owns the backend and the storage thread; any thread may call the members.
class batching_store final : public message_store {
public:
    /// Starts the storage thread. `metrics` may be null (tests); it must outlive the store.
    batching_store(std::unique_ptr<batch_backend> backend, server_metrics* metrics,
                   job_queue_limits limits = {}, maintenance_options maintenance = {});
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

    void enqueue(any_job&& work, std::size_t bytes);
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

    std::unique_ptr<batch_backend> backend_;  // storage thread only, until joined
    server_metrics* metrics_;
    bounded_job_queue<any_job> queue_;
    maintenance_options maintenance_;
    std::chrono::steady_clock::time_point upkeep_backoff_until_{};  // storage thread only
    std::chrono::steady_clock::time_point probe_due_{};             // storage thread only
    std::mutex stop_mutex_;  // serialises flush_and_stop()
    std::thread thread_;
    std::thread::id storage_thread_id_;
};

}  // namespace parley::server
