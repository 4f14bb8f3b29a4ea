#pragma once
// The client's link to the server: connect, send text frames, close, and events.
// Two sibling implementations are chosen by the build (transport_native.cpp on Beast,
// transport_web.cpp on emscripten/websocket.h); both hand events to the UI thread
// through a queue drained by poll(), so the model code is identical for both.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "parley/core/limits.hpp"

namespace parley::client {

/// One thing that happened on the connection, delivered to the UI thread by poll().
struct transport_event {
    enum class kind : std::uint8_t {
        opened,  ///< the WebSocket handshake completed; send() now works
        text,    ///< a text frame arrived; `text` holds it
        closed,  ///< the connection ended; `code` and `text` (the reason) say why
        error,   ///< the connection failed (DNS, TCP, TLS, handshake); `text` says how.
                 ///< A `closed` event always follows an `error`.
    };
    kind type = kind::text;
    std::string text;        ///< frame text, close reason or error description
    std::uint16_t code = 0;  ///< close code for `closed` (1006 when the link just dropped)
};

/// What send() did with a frame.
enum class send_status : std::uint8_t {
    queued,      ///< accepted; it goes out in order after earlier frames
    not_open,    ///< no open connection (not yet opened, closed, or never connected)
    queue_full,  ///< the bounded outgoing queue is full: the server is not reading
};

/// Tunables of a transport. Each default carries its reason.
struct transport_options {
    /// PEM file of trusted CAs for wss://; empty uses the system store (native only:
    /// the browser verifies certificates itself).
    std::string ca_file;
    /// Whether wss:// verifies the server's certificate chain and host name. Only tests
    /// against a self-signed server turn it off.
    bool verify_peer = true;
    /// Bytes queued for sending before send() reports queue_full: 1 MiB is ~10,000 chat
    /// frames, far beyond what a person types while a healthy link drains.
    std::size_t max_outgoing_bytes = 1024 * 1024;
    /// Largest incoming frame (native only; the browser has its own): every frame a Parley
    /// server sends fits (limits.hpp says why); a bigger one is not Parley and closes.
    std::size_t max_incoming_frame_bytes = limits::max_server_frame_bytes;
    /// Events buffered for the UI before the connection is dropped as overrun: 64 MiB of
    /// frame text. The model reconnects and resumes, so nothing is lost.
    std::size_t max_pending_event_bytes = 64 * 1024 * 1024;
};

/// A WebSocket client connection, reused across reconnects. Owned by the application;
/// every method is called from the UI thread only. After close() (or a new connect())
/// returns, poll() never yields another event of the old connection.
class transport {
public:
    virtual ~transport() = default;

    /// Starts connecting to `url` ("ws://host:port/path?query" or "wss://..."), closing
    /// any current connection first. Progress arrives as events; never throws.
    virtual void connect(const std::string& url) = 0;
    /// Queues one text frame for the open connection.
    virtual send_status send(std::string text) = 0;
    /// Closes the connection (normal closure, 1000) without a `closed` event to follow.
    virtual void close() = 0;
    /// Everything that happened since the last call, oldest first. Call once per frame.
    virtual std::vector<transport_event> poll() = 0;
    /// Sets a hook run whenever an event is queued, so an idle main loop wakes up
    /// (natively: glfwPostEmptyEvent). Natively it runs on the transport's thread, so it
    /// must be thread-safe; on the web it runs on the main thread. Empty clears it.
    virtual void set_wake_callback(std::function<void()> wake) = 0;
};

/// The build's transport: Beast on its own thread natively, the browser's WebSocket
/// under Emscripten. The caller owns it and keeps it alive longer than any model using it.
std::unique_ptr<transport> make_transport(transport_options options = {});

}  // namespace parley::client
