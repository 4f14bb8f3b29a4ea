#pragma once
// The server's clock: the system and steady clocks, and asio timers for delayed calls.

#include <boost/asio/any_io_executor.hpp>

#include "chat/clock.hpp"

namespace parley::server::chat {

/// chat::clock over the real clocks. Delayed calls run on `executor` (the server's
/// io_context); they are dropped unrun when the io_context stops first.
class asio_clock final : public clock {
public:
    explicit asio_clock(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

    std::int64_t unix_ms() const override { return unix_now_ms(); }
    std::int64_t steady_ms() const override { return steady_now_ms(); }
    void call_after(std::chrono::milliseconds delay, std::function<void()> f) override;

private:
    boost::asio::any_io_executor executor_;
};

}  // namespace parley::server::chat
