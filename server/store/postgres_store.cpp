#include "store/postgres_store.hpp"

#include "store/postgres_backend.hpp"

namespace parley::server {

std::unique_ptr<message_store> open_postgres_store(const postgres_store_options& options, server_metrics* metrics,
                                                   std::string& error) {
    auto backend = postgres_backend::open(options.backend, error);
    if (!backend) return nullptr;
    return std::make_unique<batching_store>(std::move(backend), metrics, options.queue, options.maintenance);
}

}  // namespace parley::server
