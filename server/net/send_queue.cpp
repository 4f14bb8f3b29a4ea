#include "net/send_queue.hpp"

#include <iterator>

namespace parley::server {

send_queue::push_result send_queue::push(chat::shared_frame frame) {
    std::lock_guard lock(mutex_);
    if (closed_) return {chat::send_outcome::dropped, false};
    if (queued_bytes_ >= bound_bytes_) {
        // A slow consumer: dropped, never allowed to grow the server's memory. Nothing more
        // is accepted from here on, so it is reported (counted, closed) once.
        closed_ = true;
        return {chat::send_outcome::dropped, true};
    }
    queued_bytes_ += frame->bytes.size();
    queue_.push_back(std::move(frame));
    if (write_reserved_) return {chat::send_outcome::queued, false};
    write_reserved_ = true;
    return {chat::send_outcome::flush_needed, false};
}

bool send_queue::push_close(chat::shared_frame close, bool drop_queue) {
    std::lock_guard lock(mutex_);
    if (drop_queue) {
        for (const auto& f : queue_) queued_bytes_ -= f->bytes.size();
        queue_.clear();
    }
    queued_bytes_ += close->bytes.size();
    queue_.push_back(std::move(close));
    closed_ = true;
    close_queued_ = true;
    const bool start = !write_reserved_;
    write_reserved_ = true;
    return start;
}

bool send_queue::take(std::vector<chat::shared_frame>& out, std::size_t max) {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) {
        write_reserved_ = false;
        return false;
    }
    if (queue_.size() <= max) {
        out.swap(queue_);
    } else {
        const auto split = queue_.begin() + static_cast<std::ptrdiff_t>(max);
        out.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(split));
        queue_.erase(queue_.begin(), split);
    }
    return true;
}

send_queue::after_write send_queue::written(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    queued_bytes_ -= bytes;
    if (!queue_.empty()) return after_write::more;
    write_reserved_ = false;
    queue_ = {};  // idle: no capacity kept (take() swapped the writer's vector in)
    // Only the close frame itself ends the send side; a queue closed for a slow consumer
    // whose close frame is not queued yet is merely idle until it is.
    return close_queued_ ? after_write::close_sent : after_write::idle;
}

void send_queue::shut() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    queue_.clear();
}

std::size_t send_queue::queued_bytes() const {
    std::lock_guard lock(mutex_);
    return queued_bytes_;
}

}  // namespace parley::server
