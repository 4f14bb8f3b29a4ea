#pragma once
// The closing handshake of one WebSocket session (RFC 6455 7), one state machine for both
// transports. Pure bookkeeping: the session reports what happened (our close frame queued,
// written; the peer's close frame read; the socket closed) and is told what to do next.
// The one difference between the transports is when the send side may end:
//
//   plain: as soon as our close frame is written (shutdown(send); the peer's EOF follows).
//   TLS:   once our close frame is written AND the peer's has been read: close_notify is
//          TLS's end of stream, and OpenSSL fails a shutdown that application data follows,
//          so the peer's last frame must be in first. Reads stop at that frame: what follows
//          it is close_notify, which the shutdown itself reads.
//
// docs/architecture/net.md draws the machine. Tested in tests/server/net_close_handshake_test.cpp.

namespace parley::server {

/// One session's closing handshake. Owned by the session; its strand only.
class close_handshake {
public:
    /// `tls`: the session runs over TLS (see above).
    explicit close_handshake(bool tls) : tls_(tls) {}

    /// What the session must do after an event.
    enum class step {
        none,      ///< nothing yet
        end_send,  ///< end the send side: shutdown(send) on plain TCP, close_notify over TLS
    };

    /// No close has begun: data frames are still taken.
    bool open() const { return !closing_ && !finished_; }
    /// The socket is closed: nothing more happens.
    bool finished() const { return finished_; }
    /// Whether to keep reading: until finished, except that TLS stops after the peer's close.
    bool reads() const { return !finished_ && !(tls_ && peer_closed_); }

    /// Our close frame is queued (we close, or we echo the peer's). False when the handshake
    /// had already begun or the socket is closed: the caller then does nothing.
    bool begin() {
        if (closing_ || finished_) return false;
        closing_ = true;
        return true;
    }
    /// The peer's close frame has been read.
    step peer_closed() {
        peer_closed_ = true;
        return next();
    }
    /// Our close frame (the last thing we send) has been written.
    step close_written() {
        close_written_ = true;
        return next();
    }
    /// The socket is being closed (both sides done, EOF, an error, the deadline). True the
    /// first time only.
    bool finish() {
        if (finished_) return false;
        finished_ = true;
        return true;
    }
    /// Whether begin() has been called: a close that finishes without it (EOF, an error)
    /// must still tell the hub.
    bool began() const { return closing_; }

private:
    step next() {
        if (send_ended_ || finished_ || !close_written_ || (tls_ && !peer_closed_)) return step::none;
        send_ended_ = true;
        return step::end_send;
    }

    bool tls_;
    bool closing_ = false;        ///< our close frame is queued
    bool peer_closed_ = false;    ///< the peer's close frame was read
    bool close_written_ = false;  ///< our close frame is out
    bool send_ended_ = false;     ///< end_send was returned
    bool finished_ = false;       ///< the socket is closed
};

}  // namespace parley::server
