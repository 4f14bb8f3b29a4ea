#include "store/batching_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <type_traits>
#include <utility>

#include "log/log.hpp"

namespace parley::server {

namespace {

constexpr const char* overloaded_error = "storage overloaded";
constexpr const char* stopped_error = "storage stopped";

// The queue's byte bound counts what a job holds beyond its fixed size.
std::size_t bytes_of(const new_message& m) {
    return m.channel.size() + m.user.size() + m.text.size() + m.owner.size() + m.resend_scope.size() +
           (m.nonce ? m.nonce->size() : 0);
}

std::atomic<std::uint64_t> next_store_id{1};

// The store whose turn-end commit this thread's loop has queued and not yet run (0: none).
// Later jobs of the same turn join that commit instead of queueing another.
thread_local std::uint64_t turn_end_commit_queued_for = 0;
// The store whose turn-end commit this thread is running (0: none).
thread_local std::uint64_t turn_end_commit_running_for = 0;

}  // namespace

batching_store::batching_store(std::unique_ptr<batch_backend> backend, server_metrics* metrics,
                               job_queue_limits limits, maintenance_options maintenance,
                               turn_end_commit caller_commit)
    : backend_(std::move(backend)),
      metrics_(metrics),
      queue_(limits),
      maintenance_(std::move(maintenance)),
      caller_commit_(std::move(caller_commit)),
      id_(next_store_id.fetch_add(1, std::memory_order_relaxed)) {
    lifetime_->store = this;
    if (!maintenance_.clock)
        maintenance_.clock = [] {
            using namespace std::chrono;
            return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
        };
    thread_ = std::thread([this] { run(); });
    // Set before any job can be queued, so the storage thread reads it after this write.
    storage_thread_id_ = thread_.get_id();
}

batching_store::~batching_store() {
    flush_and_stop();
}

void batching_store::post(new_message message, post_callback done) {
    const std::size_t bytes = sizeof(any_job) + bytes_of(message);
    enqueue(post_job{std::move(message), std::move(done)}, bytes);
}

void batching_store::history(history_query query, history_callback done) {
    const std::size_t bytes = sizeof(any_job) + query.channel.size();
    enqueue(history_job{std::move(query), std::move(done)}, bytes);
}

void batching_store::change(message_change request, change_callback done) {
    const std::size_t bytes = sizeof(any_job) + request.text.size() + request.requester.size();
    enqueue(change_job{std::move(request), std::move(done)}, bytes);
}

void batching_store::channels(channels_callback done) {
    enqueue(channels_job{no_request{}, std::move(done)}, sizeof(any_job));
}

void batching_store::enqueue(any_job&& work, std::size_t bytes) {
    const bool deferrable = static_cast<bool>(caller_commit_.defer);
    const push_status status = queue_.push(std::move(work), bytes, /*wake_consumer=*/!deferrable);
    if (status == push_status::accepted) {
        if (deferrable) commit_at_turn_end();
        return;
    }
    // Refused: `work` was left intact, so its callback can still be answered, here and now.
    const char* error = status == push_status::full ? overloaded_error : stopped_error;
    std::visit(
        [error](auto& j) {
            if (j.done) j.done(failed_result<decltype(j.result)>(error));
        },
        work);
}

void batching_store::commit_at_turn_end() {
    if (turn_end_commit_queued_for == id_) return;
    const auto queued_at = std::chrono::steady_clock::now();
    const bool queued = caller_commit_.defer([life = lifetime_, id = id_, queued_at] {
        run_turn_end_commit(*life, id, queued_at);
    });
    if (queued)
        turn_end_commit_queued_for = id_;
    else
        queue_.wake();  // not an event loop's thread: the storage thread commits
}

void batching_store::run_turn_end_commit(lifetime& life, std::uint64_t store_id,
                                         std::chrono::steady_clock::time_point queued_at) {
    if (turn_end_commit_queued_for == store_id) turn_end_commit_queued_for = 0;
    // Held until the batch's callbacks return, so flush_and_stop() waits for them.
    std::shared_lock alive(life.guard);
    if (life.store == nullptr) return;
    turn_end_commit_running_for = store_id;
    life.store->commit_on_this_loop(queued_at);
    turn_end_commit_running_for = 0;
}

void batching_store::commit_on_this_loop(std::chrono::steady_clock::time_point queued_at) {
    // A turn that long is a busy loop: the storage thread commits on another core.
    if (std::chrono::steady_clock::now() - queued_at > caller_commit_.busy_after) return queue_.wake();
    // Whoever holds the committer runs these jobs: the storage thread looks at the queue
    // again before it sleeps, another loop sees the flag once it lets go. Nobody waits.
    jobs_wait_for_committer_.store(true);
    std::vector<any_job> batch;
    do {
        std::unique_lock committer(committer_, std::try_to_lock);
        if (!committer.owns_lock()) return;
        jobs_wait_for_committer_.store(false);
        const bool upkeep_was_waiting = backend_->wants_maintenance();
        if (queue_.take_all_now(batch)) run_batch(batch);
        batch.clear();
        // Upkeep stays with the storage thread: told once, when this batch gave it work (a
        // channel went over its cap), it prunes after its pause. Waking it after every turn
        // while that pause runs would cost a context switch per turn for nothing.
        if (!upkeep_was_waiting && backend_->wants_maintenance()) queue_.wake();
    } while (jobs_wait_for_committer_.load());
}

void batching_store::flush_and_stop() {
    if (std::this_thread::get_id() == storage_thread_id_ || turn_end_commit_running_for == id_) {
        // From a callback (against the contract) joining or waiting for the running batch
        // would deadlock; the storage thread ends by itself once the queue drains, and a
        // later call from another thread joins it.
        queue_.stop();
        return;
    }
    std::lock_guard lock(stop_mutex_);
    queue_.stop();
    if (thread_.joinable()) thread_.join();
    // The storage thread drained the queue; a turn-end commit may still be running what it
    // took. Waiting for it, and leaving later ones nothing to run, closes the database last.
    std::unique_lock alive(lifetime_->guard);
    lifetime_->store = nullptr;
    backend_.reset();
}

void batching_store::run() {
    std::vector<any_job> batch;
    // The first check comes at once: a database opened over its bounds shrinks from the start.
    auto due = std::chrono::steady_clock::now();
    // Jobs leave the queue only under the committer lock: a turn-end commit that took later
    // jobs cannot run them ahead of earlier ones taken here.
    while (queue_.wait_for_work(due)) {
        std::lock_guard committer(committer_);
        if (queue_.take_all_now(batch)) run_batch(batch);
        // Release what the callbacks captured now, not when the next batch arrives.
        batch.clear();
        due = std::min(maintain(due), probe_if_idle());
    }
}

std::chrono::steady_clock::time_point batching_store::probe_if_idle() {
    const auto now = std::chrono::steady_clock::now();
    if (now < probe_due_) return probe_due_;
    std::string error;
    const bool reached = backend_->probe(error);
    if (metrics_ != nullptr) {
        // Logged on the change only: a database that is down for an hour is one line.
        if (!reached && metrics_->store_reachable.load(std::memory_order_relaxed))
            log_warn("storage: the database does not answer: " + error);
        metrics_->note_store_contact(reached);
    }
    probe_due_ = now + maintenance_.probe_interval;
    return probe_due_;
}

std::chrono::steady_clock::time_point batching_store::maintain(std::chrono::steady_clock::time_point due) {
    const auto now = std::chrono::steady_clock::now();
    // A channel that just went over its cap is pruned after a pause, not a minute later;
    // but after a failure only at the next interval (no warning every 20 ms).
    if (now >= upkeep_backoff_until_ && backend_->wants_maintenance()) due = std::min(due, now + maintenance_.pause);
    if (now < due) return due;
    const maintenance_step step = backend_->maintain(maintenance_.clock());
    if (step.failed()) {
        log_warn("storage upkeep: " + step.error);
        upkeep_backoff_until_ = now + maintenance_.interval;
        return upkeep_backoff_until_;
    }
    // Work still wanted after a step that succeeded (a restart checkpoint refused as busy)
    // is tried again after the pause: nobody wakes this thread for it again.
    const bool again = step.more || backend_->wants_maintenance();
    return now + (again ? maintenance_.pause : maintenance_.interval);
}

std::vector<std::string> batching_store::channels_posted_to(const std::vector<any_job>& batch) {
    std::vector<std::string> channels;
    for (const auto& j : batch)
        if (const auto* p = std::get_if<post_job>(&j)) channels.push_back(p->request.channel);
    std::sort(channels.begin(), channels.end());
    channels.erase(std::unique(channels.begin(), channels.end()), channels.end());
    return channels;
}

void batching_store::place_in_stream(std::vector<any_job>& batch, stream_position base) {
    if (base == 0) return;  // placed as they were written, or no stream
    for (auto& j : batch) {
        stream_position* position = nullptr;
        if (auto* p = std::get_if<post_job>(&j)) position = &p->result.position;
        if (auto* c = std::get_if<change_job>(&j)) position = &c->result.position;
        if (position != nullptr && *position != 0) *position += base;
    }
}

void batching_store::run_batch(std::vector<any_job>& batch) {
    auto& backend = *backend_;
    auto execute = [&backend](auto& j) {
        using request_type = std::decay_t<decltype(j.request)>;
        if constexpr (std::is_same_v<request_type, new_message>)
            j.result = backend.post(j.request);
        else if constexpr (std::is_same_v<request_type, history_query>)
            j.result = backend.history(j.request);
        else if constexpr (std::is_same_v<request_type, message_change>)
            j.result = backend.change(j.request);
        else
            j.result = backend.channels();
    };
    const bool has_writes = std::any_of(batch.begin(), batch.end(), [](const any_job& j) {
        return std::holds_alternative<post_job>(j) || std::holds_alternative<change_job>(j);
    });

    if (!has_writes) {
        // Reads alone need no transaction, and one failed read says nothing about the others.
        for (auto& j : batch) std::visit(execute, j);
    } else {
        const auto start = std::chrono::steady_clock::now();
        std::string error;
        bool ok = backend.begin(error);
        if (ok) backend.will_post_to(channels_posted_to(batch));
        const auto note_failure = [&](const store_status& result) {
            if (!result.failed()) return;
            ok = false;
            error = result.error;
        };
        for (auto it = batch.begin(); ok && it != batch.end();) {
            if (!std::holds_alternative<post_job>(*it)) {
                std::visit(execute, *it);
                std::visit([&](auto& j) { note_failure(j.result); }, *it);
                ++it;
                continue;
            }
            // A run of posts goes to the backend together (one round trip on PostgreSQL);
            // the order against the batch's other jobs is kept.
            const auto run_end =
                std::find_if(it, batch.end(), [](const any_job& j) { return !std::holds_alternative<post_job>(j); });
            std::vector<const new_message*> messages;
            for (auto p = it; p != run_end; ++p) messages.push_back(&std::get<post_job>(*p).request);
            auto results = backend.post_all(messages);
            // The list ends early only at a failure (the rollback below answers every job).
            if (results.size() < messages.size() && (results.empty() || !results.back().failed()))
                results.push_back(failed_result<post_result>("storage error: a post went unanswered"));
            for (std::size_t i = 0; i < results.size() && i < messages.size(); ++i) {
                auto& posted = std::get<post_job>(*(it + static_cast<std::ptrdiff_t>(i)));
                posted.result = std::move(results[i]);
                note_failure(posted.result);
            }
            it = run_end;
        }
        if (ok) ok = backend.commit(error);
        if (ok) place_in_stream(batch, backend.committed_base());
        // A committed batch reached the database; a failed one says it did not (a batch
        // fails only on storage errors). Either way the idle probe waits another interval.
        if (metrics_ != nullptr) metrics_->note_store_contact(ok);
        probe_due_ = std::chrono::steady_clock::now() + maintenance_.probe_interval;
        if (!ok) {
            // Nothing of the batch was kept, so no job may report success, reads included:
            // they may have seen the batch's uncommitted writes.
            backend.rollback();
            for (auto& j : batch)
                std::visit([&error](auto& x) { x.result = failed_result<decltype(x.result)>(error); }, j);
        } else if (metrics_ != nullptr) {
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
            metrics_->store_batch_seconds.observe(took.count());
            const auto stored = std::count_if(batch.begin(), batch.end(), [](const any_job& j) {
                const auto* p = std::get_if<post_job>(&j);
                return p != nullptr && p->result.ok();
            });
            metrics_->messages_stored.fetch_add(static_cast<std::uint64_t>(stored),
                                                std::memory_order_relaxed);
        }
    }

    // Callbacks only after the commit: a message is acknowledged only once durable.
    for (auto& j : batch) {
        std::visit(
            [](auto& x) {
                if (x.done) x.done(std::move(x.result));
            },
            j);
    }
}

}  // namespace parley::server
