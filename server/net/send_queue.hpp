#pragma once
// A connection's outgoing frames: bounded by bytes, drained by one writer. It only keeps
// the books (what is queued, whether a write is reserved, whether the close frame is out);
// the session does the writing. Tested without sockets (tests/server/net_send_queue_test.cpp).

#include <cstddef>
#include <mutex>
#include <vector>

#include "chat/connection.hpp"
#include "chat/outgoing_frame.hpp"

namespace parley::server {

/// The send queue of one WebSocket session. push() may be called from any thread (the hub's,
/// another session's); the rest from the session's strand, the one writer. One mutex guards
/// everything and is never held during I/O.
class send_queue {
public:
    /// `bound_bytes`: what may be queued (and in flight) before a push drops the connection.
    explicit send_queue(std::size_t bound_bytes) : bound_bytes_(bound_bytes) {}

    /// What push() did: the outcome connection::enqueue() reports, and whether this push
    /// found the queue over its bound (the connection is then a slow consumer, reported once).
    struct push_result {
        chat::send_outcome outcome;
        bool over_bound = false;
    };
    /// Queues `frame` (see chat::send_outcome). Refused (dropped) once the queue is closed;
    /// a push onto a queue already at its bound closes the queue and reports over_bound.
    /// The test is on what is already queued, not on queue + this frame: a connection that
    /// reads is never dropped because one frame (at most the largest reply, a quarter of
    /// the bound) arrives while its queue is nearly full; the memory held stays below the
    /// bound plus one frame.
    push_result push(chat::shared_frame frame);

    /// Queues the close frame, the last frame: after the queued ones, or instead of them
    /// when `drop_queue` (a slow consumer). Nothing more is accepted. True when the caller
    /// must start a write (none is reserved or in flight). Strand.
    bool push_close(chat::shared_frame close, bool drop_queue);

    /// Moves up to `max` queued frames into `out` (empty on entry) for one gather write.
    /// False when nothing is queued: the write reservation is then released. Strand.
    bool take(std::vector<chat::shared_frame>& out, std::size_t max);

    /// What a finished write leaves to do.
    enum class after_write {
        more,        ///< frames were queued meanwhile: write again (the reservation holds)
        idle,        ///< nothing queued: the reservation is released
        close_sent,  ///< the close frame was the last one out: the send side is done
    };
    /// Accounts a write of `bytes` (every byte of what take() gave). Strand.
    after_write written(std::size_t bytes);

    /// Accepts nothing more and drops what is queued (the socket is gone). Strand.
    void shut();

    /// Bytes queued and in flight (what the bound is checked against).
    std::size_t queued_bytes() const;

private:
    const std::size_t bound_bytes_;
    mutable std::mutex mutex_;
    std::vector<chat::shared_frame> queue_;
    std::size_t queued_bytes_ = 0;  ///< queued + in flight
    bool write_reserved_ = false;   ///< a write is posted or in flight
    bool closed_ = false;           ///< nothing more is accepted (closing, dropped or shut)
    bool close_queued_ = false;     ///< the close frame is in the queue (or already out)
};

}  // namespace parley::server
