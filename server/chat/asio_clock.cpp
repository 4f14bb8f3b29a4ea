#include "chat/asio_clock.hpp"

#include <memory>

#include <boost/asio/steady_timer.hpp>

namespace parley::server::chat {

void asio_clock::call_after(std::chrono::milliseconds delay, std::function<void()> f) {
    // The timer lives in its own handler: nothing to cancel, nothing to keep per call.
    auto timer = std::make_shared<boost::asio::steady_timer>(executor_, delay);
    timer->async_wait([timer, f = std::move(f)](const boost::system::error_code& ec) {
        if (!ec) f();
    });
}

}  // namespace parley::server::chat
