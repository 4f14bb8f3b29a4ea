#include "tls_client.hpp"

#include <array>
#include <cstdlib>
#include <functional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "frame_pump.hpp"

namespace parley::test {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;

namespace {

const tcp::endpoint loopback(unsigned short port) {
    return {net::ip::make_address("127.0.0.1"), port};
}

/// A client context that trusts `ca` alone and checks that the certificate names 127.0.0.1.
ssl::context client_context(const std::filesystem::path& ca) {
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(ca.string());
    context.set_verify_mode(ssl::verify_peer);
    context.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    return context;
}

/// Runs `ioc` until `done` or `deadline`; true if `done`.
bool run_until(net::io_context& ioc, const bool& done, clock::time_point deadline) {
    while (!done) {
        const auto now = clock::now();
        if (now >= deadline) return false;
        ioc.restart();
        ioc.run_one_for(deadline - now);
    }
    return true;
}

}  // namespace

tls_files make_self_signed(const std::filesystem::path& dir, const std::string& stem) {
    tls_files files{dir / (stem + ".crt"), dir / (stem + ".key")};
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + files.key.string() + "' -out '" +
        files.cert.string() +
        "' -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0 || !std::filesystem::exists(files.cert) ||
        !std::filesystem::exists(files.key))
        throw std::runtime_error("openssl could not make a test certificate: " + command);
    return files;
}

std::string https_exchange(unsigned short port, const std::filesystem::path& ca, std::string_view request,
                           std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    net::io_context ioc;
    auto context = client_context(ca);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, context);
    beast::get_lowest_layer(stream).connect(loopback(port));
    beast::get_lowest_layer(stream).expires_after(timeout);

    beast::error_code ec;
    bool done = false;
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
        ec = e;
        done = true;
    });
    if (!run_until(ioc, done, deadline) || ec)
        throw std::runtime_error("TLS handshake with 127.0.0.1:" + std::to_string(port) +
                                 " failed: " + ec.message());

    std::string response;
    std::array<char, 4096> chunk;
    done = false;
    std::function<void()> read_more = [&] {
        stream.async_read_some(net::buffer(chunk), [&](beast::error_code e, std::size_t n) {
            response.append(chunk.data(), n);
            if (e)
                done = true;
            else
                read_more();
        });
    };
    net::async_write(stream, net::buffer(request.data(), request.size()),
                     [&](beast::error_code e, std::size_t) {
                         if (e)
                             done = true;
                         else
                             read_more();
                     });
    run_until(ioc, done, deadline);
    return response;
}

bool server_hangs_up(unsigned short port, std::string_view bytes, std::chrono::milliseconds timeout) {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(loopback(port));
    if (!bytes.empty()) net::write(socket, net::buffer(bytes.data(), bytes.size()));
    std::array<char, 4096> chunk;
    bool ended = false;
    std::function<void()> read_more = [&] {
        socket.async_read_some(net::buffer(chunk), [&](beast::error_code e, std::size_t) {
            if (e)
                ended = true;
            else
                read_more();
        });
    };
    read_more();
    return run_until(ioc, ended, clock::now() + timeout);
}

struct tls_test_client::impl {
    using stream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
    net::io_context ioc;
    ssl::context context;
    stream ws;
    frame_pump<stream> pump{ioc, ws};

    explicit impl(const std::filesystem::path& ca) : context(client_context(ca)), ws(ioc, context) {}
};

tls_test_client::tls_test_client(unsigned short port, const std::filesystem::path& ca, std::string target,
                                 std::vector<std::pair<std::string, std::string>> headers,
                                 int receive_buffer_bytes)
    : impl_(std::make_unique<impl>(ca)) {
    auto& ws = impl_->ws;
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.open(tcp::v4());
    if (receive_buffer_bytes > 0)
        socket.set_option(net::socket_base::receive_buffer_size(receive_buffer_bytes));
    socket.connect(loopback(port));
    socket.set_option(tcp::no_delay(true));
    beast::get_lowest_layer(ws).expires_after(5s);
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (const auto& [name, value] : headers) req.set(name, value);
    }));
    ws.read_message_max(64 << 20);

    beast::error_code ec;
    bool done = false;
    const std::string host = "127.0.0.1:" + std::to_string(port);
    ws.next_layer().async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
        if (e) {
            ec = e;
            done = true;
            return;
        }
        ws.async_handshake(host, target, [&](beast::error_code e2) {
            ec = e2;
            done = true;
        });
    });
    if (!run_until(impl_->ioc, done, clock::now() + 10s) || ec)
        throw std::runtime_error("wss handshake with " + host + target + " failed: " + ec.message());
    beast::get_lowest_layer(ws).expires_never();
}

tls_test_client::~tls_test_client() {
    if (!impl_->pump.closed()) {
        beast::error_code ec;
        beast::get_lowest_layer(impl_->ws).socket().close(ec);
    }
}

void tls_test_client::send(std::string_view text) {
    // Asynchronously, with the loop run meanwhile: a pending read may need to progress for
    // the write to (TLS records interleave), and the wait stays bounded.
    bool done = false;
    beast::error_code ec;
    impl_->ws.text(true);
    impl_->ws.async_write(net::buffer(text.data(), text.size()), [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!run_until(impl_->ioc, done, clock::now() + 10s) || ec)
        throw std::runtime_error("wss write failed: " + (done ? ec.message() : std::string("timed out")));
}

std::optional<std::string> tls_test_client::next_text(std::chrono::milliseconds timeout) {
    return impl_->pump.next_text(clock::now() + timeout, [this] { send(R"({"type":"heartbeat"})"); });
}

bool tls_test_client::close(std::uint16_t code, std::chrono::milliseconds timeout) {
    bool done = false;
    beast::error_code ec;
    impl_->ws.async_close(websocket::close_reason(code), [&](beast::error_code e) {
        ec = e;
        done = true;
    });
    const bool finished = run_until(impl_->ioc, done, clock::now() + timeout);
    impl_->pump.mark_closed();
    return finished && !ec;
}

std::optional<std::uint16_t> tls_test_client::wait_closed(std::chrono::milliseconds timeout) {
    return impl_->pump.wait_closed(clock::now() + timeout);
}

}  // namespace parley::test
