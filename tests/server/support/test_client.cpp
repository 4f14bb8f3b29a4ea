#include "test_client.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "frame_pump.hpp"

namespace parley::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct test_client::impl {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    frame_pump<websocket::stream<beast::tcp_stream>> pump{ioc, ws};
};

test_client::test_client(unsigned short port, std::string target,
                         std::vector<std::pair<std::string, std::string>> headers)
    : impl_(std::make_unique<impl>()) {
    auto& ws = impl_->ws;
    beast::get_lowest_layer(ws).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(5));
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (const auto& [name, value] : headers) req.set(name, value);
    }));
    ws.read_message_max(64 << 20);
    ws.handshake("127.0.0.1:" + std::to_string(port), target);
    beast::get_lowest_layer(ws).expires_never();
}

test_client::~test_client() {
    if (!impl_->pump.closed()) {
        beast::error_code ec;
        beast::get_lowest_layer(impl_->ws).socket().close(ec);
    }
}

void test_client::send(std::string_view text) {
    impl_->ws.text(true);
    impl_->ws.write(net::buffer(text.data(), text.size()));
}

void test_client::send_binary(std::string_view bytes) {
    impl_->ws.binary(true);
    impl_->ws.write(net::buffer(bytes.data(), bytes.size()));
    impl_->ws.text(true);
}

std::optional<std::string> test_client::next_text(std::chrono::milliseconds timeout) {
    return impl_->pump.next_text(std::chrono::steady_clock::now() + timeout, [this] {
        if (answer_heartbeats_) send(R"({"type":"heartbeat"})");
    });
}

std::optional<std::uint16_t> test_client::wait_closed(std::chrono::milliseconds timeout) {
    return impl_->pump.wait_closed(std::chrono::steady_clock::now() + timeout);
}

bool test_client::is_open() const { return !impl_->pump.closed(); }

std::size_t test_client::raw_socket_fd() {
    return static_cast<std::size_t>(beast::get_lowest_layer(impl_->ws).socket().native_handle());
}

std::string raw_exchange(unsigned short port, std::string_view request, std::chrono::milliseconds timeout) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    net::write(stream.socket(), net::buffer(request.data(), request.size()));
    std::string response;
    std::array<char, 4096> chunk;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool done = false;
    std::function<void()> read_more = [&] {
        stream.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
            response.append(chunk.data(), n);
            if (ec) done = true;
            else read_more();
        });
    };
    read_more();
    while (!done && std::chrono::steady_clock::now() < deadline) {
        ioc.restart();
        ioc.run_one_for(deadline - std::chrono::steady_clock::now());
    }
    return response;
}

int http_status(std::string_view response) {
    if (!response.starts_with("HTTP/1.") || response.size() < 12) return 0;
    return std::atoi(std::string(response.substr(9, 3)).c_str());
}

}  // namespace parley::test
