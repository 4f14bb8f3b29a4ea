#pragma once
// The reading half the plain and the TLS test clients share: one outstanding async_read
// on the WebSocket, frames queued as they come, the close code kept when the link ends,
// and the loop run only while the test waits (bounded by a deadline).

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace parley::test {

/// Reads frames of `WebSocket` (a beast websocket::stream over plain or TLS TCP) on `ioc`.
/// Borrows both; used from the test's thread only.
template <class WebSocket>
class frame_pump {
public:
    using clock = std::chrono::steady_clock;

    frame_pump(boost::asio::io_context& ioc, WebSocket& ws) : ioc_(ioc), ws_(ws) {}

    /// The next text frame; heartbeats are skipped after `on_heartbeat()` runs (the client
    /// answers there). nullopt at the deadline or when the connection closed.
    template <class OnHeartbeat>
    std::optional<std::string> next_text(clock::time_point deadline, OnHeartbeat on_heartbeat) {
        while (wait(deadline)) {
            std::string text = std::move(frames_.front());
            frames_.pop_front();
            if (text.starts_with(R"({"type":"heartbeat")")) {
                on_heartbeat();
                continue;
            }
            return text;
        }
        return std::nullopt;
    }

    /// Drops frames until the connection closes; its close code (1006 without a close
    /// frame), or nullopt at the deadline.
    std::optional<std::uint16_t> wait_closed(clock::time_point deadline) {
        while (!closed_) {
            if (!wait(deadline) && !closed_) return std::nullopt;
            frames_.clear();
        }
        return close_code_;
    }

    bool closed() const { return closed_; }
    /// For a client that closed the connection itself.
    void mark_closed() { closed_ = true; }

private:
    void start_read() {
        if (reading_ || closed_) return;
        reading_ = true;
        ws_.async_read(buffer_, [this](boost::beast::error_code ec, std::size_t) {
            reading_ = false;
            if (ec) {
                closed_ = true;
                close_code_ = ec == boost::beast::websocket::error::closed
                                  ? std::optional<std::uint16_t>(ws_.reason().code)
                                  : std::optional<std::uint16_t>(1006);
                return;
            }
            frames_.push_back(boost::beast::buffers_to_string(buffer_.data()));
            buffer_.consume(buffer_.size());
            start_read();
        });
    }

    /// Runs the loop until a frame is queued, the connection closed, or the deadline passed.
    bool wait(clock::time_point deadline) {
        while (frames_.empty() && !closed_) {
            const auto now = clock::now();
            if (now >= deadline) return false;
            start_read();
            ioc_.restart();
            ioc_.run_one_for(deadline - now);
        }
        return !frames_.empty();
    }

    boost::asio::io_context& ioc_;
    WebSocket& ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> frames_;
    bool reading_ = false;
    bool closed_ = false;
    std::optional<std::uint16_t> close_code_;
};

}  // namespace parley::test
