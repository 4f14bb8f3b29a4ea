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

/// Jobs of type `Job`, each with a byte cost. Any thread may push(); one consumer thread
/// calls take_all(); any thread may stop().
template <class Job>
class bounded_job_queue {
public:
    explicit bounded_job_queue(job_queue_limits limits) : limits_(limits) {}

    /// Appends `job` when within bounds and not stopped; `job` is moved from only when
    /// accepted, so a refused caller can still complete it.
    push_status push(Job&& job, std::size_t bytes) {
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
        ready_.notify_one();
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

    /// Like take_all(), but waits no later than `deadline`: `out` is then empty and the
    /// answer true (the consumer has other work, such as pruning). Consumer thread only.
    bool take_all_until(std::vector<Job>& out, std::chrono::steady_clock::time_point deadline) {
        out.clear();
        std::unique_lock lock(mutex_);
        ready_.wait_until(lock, deadline, [this] { return stopped_ || !jobs_.empty(); });
        if (jobs_.empty()) return !stopped_;
        std::swap(out, jobs_);
        bytes_ = 0;
        return true;
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
};

}  // namespace parley::server
