#include "bus/stream_sequencer.hpp"

#include <utility>

namespace parley::server {

void stream_sequencer::start_after(std::int64_t position) {
    std::lock_guard lock(mutex_);
    next_ = position + 1;
    ahead_.erase(ahead_.begin(), ahead_.lower_bound(next_));
    deliver_ready(clock::now());
}

void stream_sequencer::own(channel_event event) {
    std::lock_guard lock(mutex_);
    if (event.position < next_) {
        // Its read copy was delivered (it waited past the patience): only the echo is left.
        if (event.echo) {
            event.broadcast = false;
            deliver_(std::move(event));
        }
        return;
    }
    // Ours replaces a read copy holding its place: it carries the echo.
    ahead_.insert_or_assign(event.position, pending{std::move(event), false, {}});
    deliver_ready(clock::now());
}

void stream_sequencer::read(channel_event event, bool ours, clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (event.position < next_) return;  // delivered already
    const auto position = event.position;
    ahead_.try_emplace(position, pending{std::move(event), ours, now});
    deliver_ready(now);
}

void stream_sequencer::release_overdue(clock::time_point now) {
    std::lock_guard lock(mutex_);
    deliver_ready(now);
}

void stream_sequencer::deliver_ready(clock::time_point now) {
    while (!ahead_.empty() && ahead_.begin()->first == next_) {
        const pending& front = ahead_.begin()->second;
        if (front.placeholder && now - front.read_at < patience_) return;  // the own copy is coming
        auto node = ahead_.extract(ahead_.begin());
        ++next_;
        deliver_(std::move(node.mapped().event));
    }
}

std::int64_t stream_sequencer::delivered() const {
    std::lock_guard lock(mutex_);
    return next_ - 1;
}

std::size_t stream_sequencer::waiting() const {
    std::lock_guard lock(mutex_);
    return ahead_.size();
}

std::int64_t stream_sequencer::next() const {
    std::lock_guard lock(mutex_);
    return next_;
}

}  // namespace parley::server
