#pragma once
// A bounded multi-producer queue drained whole by one consumer: the storage thread takes
// everything queued at once, which is what makes a batch (group commit).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace parley::server {

/// Bounds of a job queue. A caller over either bound is refused at once, never buffered.
struct job_queue_limits {
    /// About two seconds of posts at 50k/s: a disk stalled longer than that refuses posts
    /// rather than growing memory.
    std::size_t max_jobs = 100'000;
    /// Text held while the disk is slow; 64 MiB keeps a flood of 16 KB messages bounded
    /// well below what max_jobs alone would allow (1.6 GB).
    std::size_t max_bytes = 64 * 1024 * 1024;
};

/// Why push() refused a job, or that it did not.
enum class push_status { accepted, full, stopped };

/// Jobs of type `Job`, each with a byte cost. Any thread may push(), take_all_now(), wake()
/// and stop(); one consumer thread waits (take_all(), wait_for_work()).
template <class Job>
class bounded_job_queue {
public:
    explicit bounded_job_queue(job_queue_limits limits) : limits_(limits) {}

    /// Appends `job` when within bounds and not stopped; `job` is moved from only when
    /// accepted, so a refused caller can still complete it. With `wake_consumer` false the
    /// waiting consumer is not woken: the caller takes the job itself or calls wake() later.
    push_status push(Job&& job, std::size_t bytes, bool wake_consumer = true) {
        {
            std::lock_guard lock(mutex_);
            if (stopped_) return push_status::stopped;
            // An empty queue takes any job, so a single job larger than max_bytes is not
            // refused forever.
            if (jobs_.size() >= limits_.max_jobs || (!jobs_.empty() && bytes_ + bytes > limits_.max_bytes))
                return push_status::full;
            jobs_.push_back(std::move(job));
            bytes_ += bytes;
        }
        if (wake_consumer) ready_.notify_one();
        return push_status::accepted;
    }

    /// Waits for jobs, then moves all of them into `out` (replacing its contents). Returns
    /// false, with `out` empty, once stopped and drained. Consumer thread only.
    bool take_all(std::vector<Job>& out) {
        out.clear();
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopped_ || !jobs_.empty(); });
        if (jobs_.empty()) return false;
        // Swapping hands the consumer's emptied vector back, so its capacity is reused.
        std::swap(out, jobs_);
        bytes_ = 0;
        return true;
    }

    /// Waits until there are jobs, wake() was called or `deadline` passed, without taking
    /// anything. Returns false once stopped and drained. Consumer thread only.
    bool wait_for_work(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        ready_.wait_until(lock, deadline, [this] { return stopped_ || woken_ || !jobs_.empty(); });
        woken_ = false;
        return !stopped_ || !jobs_.empty();
    }

    /// Moves every queued job into `out` (replacing its contents) without waiting; false
    /// when there was none. Any thread: whoever takes runs the jobs in queue order.
    bool take_all_now(std::vector<Job>& out) {
        out.clear();
        std::lock_guard lock(mutex_);
        if (jobs_.empty()) return false;
        std::swap(out, jobs_);
        bytes_ = 0;
        return true;
    }

    /// Ends the consumer's wait_for_work() now, jobs or not. Any thread.
    void wake() {
        {
            std::lock_guard lock(mutex_);
            woken_ = true;
        }
        ready_.notify_one();
    }

    /// Refuses later pushes; take_all() still returns what is queued, then false.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopped_ = true;
        }
        ready_.notify_all();
    }

private:
    const job_queue_limits limits_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<Job> jobs_;  // guarded by mutex_
    std::size_t bytes_ = 0;  // guarded by mutex_
    bool stopped_ = false;   // guarded by mutex_
    bool woken_ = false;     // guarded by mutex_
};

}  // namespace parley::server
