#pragma once
// The batched send path: every frame the hub sends is queued with push(), and each
// connection that needs a write is flushed once when the handler ends, so a handler that
// sends several frames to one connection costs one gather write.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chat/connection.hpp"
#include "metrics/metrics.hpp"
#include "parley/core/error_code.hpp"

namespace parley::server::chat {

/// Frames queued during one handler on one strand. Not thread-safe: one per strand (a
/// shard's), or one per handler (a connection's home turn).
class outbox {
public:
    outbox() = default;
    outbox(const outbox&) = delete;
    outbox& operator=(const outbox&) = delete;
    ~outbox() { flush(); }

    /// Queues `frame` for `c`. False when it was dropped: the connection is going away, and
    /// further frames to it would be dropped too.
    bool push(const std::shared_ptr<connection>& c, shared_frame frame) {
        const auto outcome = c->enqueue(std::move(frame));
        if (outcome == send_outcome::flush_needed) dirty_.push_back(c);
        return outcome != send_outcome::dropped;
    }
    /// Queues an `error` frame and counts it; a malformed-frame code is first charged to the
    /// connection's budget (over it nothing is sent: the connection is closing).
    void push_error(const std::shared_ptr<connection>& c, server_metrics& metrics, error_code code,
                    std::string message, std::optional<std::string> ref);
    /// Starts the writes the queued frames reserved.
    void flush() {
        for (const auto& c : dirty_) c->flush();
        dirty_.clear();
    }

private:
    std::vector<std::shared_ptr<connection>> dirty_;
};

}  // namespace parley::server::chat
