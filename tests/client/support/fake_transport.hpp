#pragma once
// A transport with no socket: records what the model asks of it, and the test plays the
// server by handing the model scripted events.

#include <string>
#include <utility>
#include <vector>

#include "model/transport.hpp"

namespace parley::client::test {

/// Records connect/send/close calls. Events reach the model through queue() + tick(), or
/// directly through chat_model::handle().
class fake_transport final : public transport {
public:
    void connect(const std::string& url) override {
        urls.push_back(url);
        open = false;
        queued.clear();
    }
    send_status send(std::string text) override {
        if (!open) return send_status::not_open;
        if (full) return send_status::queue_full;
        sent.push_back(std::move(text));
        return send_status::queued;
    }
    void close() override {
        ++closes;
        open = false;
        queued.clear();
    }
    std::vector<transport_event> poll() override {
        std::vector<transport_event> out;
        out.swap(queued);
        return out;
    }
    void set_wake_callback(std::function<void()> hook) override { wake = std::move(hook); }

    /// Queues an event for the next poll().
    void queue(transport_event event) {
        if (event.type == transport_event::kind::opened) open = true;
        queued.push_back(std::move(event));
        if (wake) wake();
    }

    std::vector<std::string> urls;  ///< every connect(), in order
    std::vector<std::string> sent;  ///< every frame sent while open
    int closes = 0;
    bool open = false;  ///< what send() checks; the test opens it with the `opened` event
    bool full = false;  ///< makes send() report queue_full
    std::vector<transport_event> queued;
    std::function<void()> wake;
};

}  // namespace parley::client::test
