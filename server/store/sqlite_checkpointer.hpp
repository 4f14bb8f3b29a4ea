#pragma once
// WAL checkpoints off the commit path. SQLite's default (wal_autocheckpoint) makes the
// commit that takes the WAL past 1000 pages run the checkpoint inline: two fdatasyncs
// and a few MB of page writes, 5-40 ms during which every post queued behind that commit
// waits. That was W2's tail (docs/architecture/store.md, Checkpoints). Here the writer
// only reports the WAL's size after each commit; a thread of this class with its own
// connection runs PASSIVE checkpoints, which never block the writer.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite_handle.hpp"

namespace parley::server::sqlite {

/// When checkpoints run, in WAL pages (4 KiB each by default).
struct checkpoint_policy {
    /// The background thread checkpoints once the WAL holds this many pages: SQLite's own
    /// default (about 4 MiB), so the WAL and the reads it costs stay as before.
    int background_pages = 1000;
    /// The writer checkpoints in upkeep, between batches, once the WAL holds this many: a
    /// PASSIVE checkpoint cannot let the WAL restart from its start while commits keep
    /// arriving, so under a long unbroken stream of commits this bounds the WAL (64 MiB,
    /// journal_size_limit).
    int inline_pages = 16384;
};

/// Owns a second connection to the database and the thread that checkpoints with it.
/// request() is called by the writer (the storage thread); the destructor, from the
/// thread that owns the backend, stops and joins.
class checkpointer {
public:
    /// Opens `file` (which must exist, in WAL mode) and starts the thread; null with
    /// `error` set when the connection cannot be opened.
    static std::unique_ptr<checkpointer> start(const std::filesystem::path& file, std::string& error);
    ~checkpointer();
    checkpointer(const checkpointer&) = delete;
    checkpointer& operator=(const checkpointer&) = delete;

    /// Asks for a checkpoint soon; never blocks on one. Any thread.
    void request();
    /// Checkpoints run to the end so far (tests). Any thread.
    std::uint64_t completed() const;
    /// Waits until no checkpoint is asked for or running (every request so far has been
    /// served) or `timeout` passes; whether it got there (tests).
    bool wait_idle(std::chrono::milliseconds timeout) const;

    /// Only start() can make the tag, so only start() constructs (through make_unique).
    class start_tag {
        friend class checkpointer;
        start_tag() = default;
    };
    checkpointer(start_tag, std::unique_ptr<connection> db);

private:
    void run();

    std::unique_ptr<connection> db_;  // the checkpoint thread only
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    mutable std::condition_variable finished_;
    bool requested_ = false;       // guarded by mutex_
    bool running_ = false;         // guarded by mutex_
    bool stopping_ = false;        // guarded by mutex_
    std::uint64_t completed_ = 0;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace parley::server::sqlite
