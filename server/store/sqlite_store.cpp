#include "store/sqlite_store.hpp"

#include "store/batching_store.hpp"

namespace parley::server {

std::unique_ptr<message_store> open_sqlite_store(const std::filesystem::path& data_dir,
                                                 const sqlite_store_options& options, server_metrics* metrics,
                                                 std::string& error) {
    auto backend = sqlite_backend::open(data_dir, options.backend, error);
    if (!backend) return nullptr;
    // An fsync per commit (--sync full) would make the event loop wait for the disk.
    auto caller_commit = options.backend.sync == sync_mode::normal ? options.caller_commit : turn_end_commit{};
    return std::make_unique<batching_store>(std::move(backend), metrics, options.queue, options.maintenance,
                                            std::move(caller_commit));
}

std::unique_ptr<message_store> open_sqlite_store(const std::filesystem::path& data_dir, sync_mode sync,
                                                 server_metrics* metrics, std::string& error) {
    sqlite_store_options options;
    options.backend.sync = sync;
    return open_sqlite_store(data_dir, options, metrics, error);
}

}  // namespace parley::server
