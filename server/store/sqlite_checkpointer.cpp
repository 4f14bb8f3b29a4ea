#include "store/sqlite_checkpointer.hpp"

#include <sqlite3.h>

#include <utility>

#include "log/log.hpp"

namespace parley::server::sqlite {

std::unique_ptr<checkpointer> checkpointer::start(const std::filesystem::path& file, std::string& error) {
    auto db = connection::open(file, error);
    if (!db) return nullptr;
    // A connection learns that the file is in WAL mode (and opens the WAL) only when it
    // first reads; until then a checkpoint does nothing at all.
    {
        statement mode;  // finalized here, before the thread may use the connection
        if (!mode.prepare(*db, "PRAGMA journal_mode", error)) return nullptr;
        if (mode.step() != SQLITE_ROW || mode.column_text(0) != "wal") {
            error = "the checkpoint connection does not see the database in WAL mode";
            return nullptr;
        }
    }
    return std::make_unique<checkpointer>(start_tag{}, std::move(db));
}

checkpointer::checkpointer(start_tag, std::unique_ptr<connection> db) : db_(std::move(db)) {
    thread_ = std::thread([this] { run(); });
}

checkpointer::~checkpointer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void checkpointer::request() {
    {
        std::lock_guard lock(mutex_);
        if (requested_) return;  // one pending request covers every commit until it runs
        requested_ = true;
    }
    wake_.notify_one();
}

std::uint64_t checkpointer::completed() const {
    std::lock_guard lock(mutex_);
    return completed_;
}

bool checkpointer::wait_idle(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return finished_.wait_for(lock, timeout, [this] { return !requested_ && !running_; });
}

void checkpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return requested_ || stopping_; });
        if (stopping_) return;  // closing the writer's connection checkpoints what is left
        requested_ = false;
        running_ = true;
        lock.unlock();
        int wal_pages = 0;
        int backfilled = 0;
        const int rc = sqlite3_wal_checkpoint_v2(db_->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages,
                                                 &backfilled);
        // BUSY: the writer is checkpointing inline (the WAL grew past its bound); it will
        // ask again.
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) log_warn("storage checkpoint: " + db_->last_error());
        lock.lock();
        running_ = false;
        if (rc == SQLITE_OK) ++completed_;
        finished_.notify_all();
    }
}

}  // namespace parley::server::sqlite
