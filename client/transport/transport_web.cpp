// The browser transport: emscripten/websocket.h over the page's WebSocket. Callbacks arrive
// on the main thread (the UI thread), so the queue needs no lock; it exists so that the
// model drains events through poll() exactly as natively.
#include <emscripten/websocket.h>

#include <cstring>
#include <utility>

#include "model/transport.hpp"

namespace parley::client {
namespace {

class web_transport final : public transport {
public:
    explicit web_transport(transport_options options) : options_(std::move(options)) {}
    ~web_transport() override { close(); }
    web_transport(const web_transport&) = delete;
    web_transport& operator=(const web_transport&) = delete;

    void connect(const std::string& url) override {
        close();
        EmscriptenWebSocketCreateAttributes attributes;
        emscripten_websocket_init_create_attributes(&attributes);
        attributes.url = url.c_str();
        attributes.protocols = nullptr;
        attributes.createOnMainThread = EM_TRUE;
        const EMSCRIPTEN_WEBSOCKET_T socket = emscripten_websocket_new(&attributes);
        if (socket <= 0) {
            // The browser refuses some URLs outright (bad syntax, a blocked port).
            queue(transport_event{transport_event::kind::error, "cannot open a WebSocket to " + url, 0});
            queue(transport_event{transport_event::kind::closed, "cannot open " + url, 1006});
            return;
        }
        socket_ = socket;
        emscripten_websocket_set_onopen_callback(socket, this, &web_transport::on_open);
        emscripten_websocket_set_onmessage_callback(socket, this, &web_transport::on_message);
        emscripten_websocket_set_onerror_callback(socket, this, &web_transport::on_error);
        emscripten_websocket_set_onclose_callback(socket, this, &web_transport::on_close);
    }

    send_status send(std::string text) override {
        if (socket_ <= 0 || !open_) return send_status::not_open;
        // The browser buffers without limit; its buffered amount is the queue to bound.
        unsigned long long buffered = 0;
        emscripten_websocket_get_buffered_amount(socket_, &buffered);
        if (buffered + text.size() > options_.max_outgoing_bytes) return send_status::queue_full;
        if (emscripten_websocket_send_utf8_text(socket_, text.c_str()) != EMSCRIPTEN_RESULT_SUCCESS)
            return send_status::not_open;
        return send_status::queued;
    }

    void close() override {
        open_ = false;
        events_.clear();
        bytes_ = 0;
        overrun_ = false;
        if (socket_ <= 0) return;
        // delete() unhooks the callbacks, so nothing of this socket is seen again.
        emscripten_websocket_close(socket_, 1000, "");
        emscripten_websocket_delete(socket_);
        socket_ = 0;
    }

    std::vector<transport_event> poll() override {
        std::vector<transport_event> out;
        out.swap(events_);
        bytes_ = 0;
        return out;
    }

    void set_wake_callback(std::function<void()> wake) override { wake_ = std::move(wake); }

private:
    static web_transport* self_for(EMSCRIPTEN_WEBSOCKET_T socket, void* user) {
        auto* self = static_cast<web_transport*>(user);
        return self->socket_ == socket ? self : nullptr;  // a stale socket's late callback
    }

    static EM_BOOL on_open(int, const EmscriptenWebSocketOpenEvent* event, void* user) {
        if (web_transport* self = self_for(event->socket, user)) {
            self->open_ = true;
            self->queue(transport_event{transport_event::kind::opened, {}, 0});
        }
        return EM_TRUE;
    }

    static EM_BOOL on_message(int, const EmscriptenWebSocketMessageEvent* event, void* user) {
        web_transport* self = self_for(event->socket, user);
        if (!self || !event->isText) return EM_TRUE;  // Parley servers send text only
        std::size_t size = event->numBytes;
        // Text arrives NUL-terminated, and numBytes counts the terminator.
        if (size > 0 && event->data[size - 1] == 0) --size;
        self->queue(transport_event{transport_event::kind::text,
                                    std::string(reinterpret_cast<const char*>(event->data), size), 0});
        return EM_TRUE;
    }

    static EM_BOOL on_error(int, const EmscriptenWebSocketErrorEvent* event, void* user) {
        // The browser hides the cause (by design); the close that follows carries the code.
        if (web_transport* self = self_for(event->socket, user))
            self->queue(transport_event{transport_event::kind::error, "WebSocket error", 0});
        return EM_TRUE;
    }

    static EM_BOOL on_close(int, const EmscriptenWebSocketCloseEvent* event, void* user) {
        web_transport* self = self_for(event->socket, user);
        if (!self) return EM_TRUE;
        self->open_ = false;
        const std::size_t length = strnlen(event->reason, sizeof(event->reason));
        self->queue(transport_event{transport_event::kind::closed, std::string(event->reason, length), event->code});
        emscripten_websocket_delete(self->socket_);
        self->socket_ = 0;
        return EM_TRUE;
    }

    void queue(transport_event event) {
        if (overrun_) return;
        if (bytes_ + event.text.size() > options_.max_pending_event_bytes) {
            // The page stopped draining (a hidden tab's paused frames): end this connection;
            // the model reconnects and resumes when it runs again.
            overrun_ = true;
            events_.push_back(transport_event{transport_event::kind::error, "events not read in time", 0});
            events_.push_back(transport_event{transport_event::kind::closed, "client overrun", 1006});
            if (socket_ > 0) {
                emscripten_websocket_close(socket_, 1000, "");
                emscripten_websocket_delete(socket_);
                socket_ = 0;
            }
            open_ = false;
        } else {
            bytes_ += event.text.size();
            events_.push_back(std::move(event));
        }
        if (wake_) wake_();
    }

    const transport_options options_;
    EMSCRIPTEN_WEBSOCKET_T socket_ = 0;
    bool open_ = false;
    bool overrun_ = false;
    std::vector<transport_event> events_;
    std::size_t bytes_ = 0;
    std::function<void()> wake_;
};

}  // namespace

std::unique_ptr<transport> make_transport(transport_options options) {
    return std::make_unique<web_transport>(std::move(options));
}

}  // namespace parley::client
