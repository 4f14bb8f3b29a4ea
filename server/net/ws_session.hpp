#pragma once
// One WebSocket connection after the upgrade: reads client frames, writes queued server
// frames, keeps the heartbeat. It only moves bytes; what frames mean is the hub's job.
//
// Two transports, one template: a plain TCP socket, read with a zero-buffer wait so that an
// idle connection owns no read buffer; and TLS (net/tls_stream.hpp), which must decrypt into
// memory of its own, so a TLS session carries a record-sized buffer.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chat/connection.hpp"
#include "chat/error_budget.hpp"
#include "chat/token_bucket.hpp"
#include "net/address_limiter.hpp"
#include "net/session_context.hpp"
#include "ws/frame_parser.hpp"

namespace parley::server {

/// A WebSocket session over `Stream`: boost::asio::ip::tcp::socket, or tls_stream after a
/// TLS handshake; ws_session.cpp instantiates both. Made with make_shared; every pending
/// operation holds a shared_ptr to it; the hub holds weak_ptrs. Its stream's executor is a
/// strand: everything but send(), close() and charge_protocol_error() runs on it.
template <class Stream>
class ws_session final : public chat::connection, private ws::frame_events {
public:
    /// Takes over `stream` (whose executor is a strand) after a valid upgrade request, and
    /// `slot`, its address's count (net/address_limiter.hpp), held until destruction.
    ws_session(Stream stream, session_context& ctx, std::string session_id, std::string peer,
               std::string address, address_slot slot);
    ~ws_session() override;

    /// Sends the handshake answer (`handshake`, raw HTTP bytes) and starts the session
    /// in `channel`; `leftover` holds bytes the client sent after its upgrade request.
    void start(std::string handshake, std::optional<chat::verified_account> account, std::string channel,
               std::optional<message_id> since, std::string leftover);

    chat::send_outcome enqueue(chat::shared_frame frame) override;
    void flush() override;
    void close(std::uint16_t code, std::string_view reason) override;
    bool charge_protocol_error() override;

private:
    // frame_events: called by parser_ during feed(), on the strand.
    void on_text(std::string_view payload) override;
    void on_binary(std::string_view payload) override;
    void on_ping(std::string_view payload) override;
    void on_pong(std::string_view payload) override;
    void on_close(std::uint16_t code, std::string_view reason) override;
    void on_failure(std::uint16_t code) override;

    static constexpr bool is_tls = !std::is_same_v<Stream, boost::asio::ip::tcp::socket>;

    std::shared_ptr<ws_session> self();
    /// Runs a completion handler's body: an exception ends this session only (logged).
    template <class F>
    void guarded(F&& f) noexcept;
    /// The TCP socket under the stream.
    boost::asio::ip::tcp::socket& socket();
    void feed(char* data, std::size_t size);
    /// Starts the next read: a zero-buffer wait (plain) or a read into tls_.buffer (TLS).
    void do_read();
    void on_readable(const boost::system::error_code& ec) requires(!is_tls);
    void on_tls_read(const boost::system::error_code& ec, std::size_t bytes) requires(is_tls);
    /// Both close frames are through: sends close_notify (TLS's end of stream), then finishes.
    void do_tls_shutdown() requires(is_tls);
    void do_write();
    void on_write(const boost::system::error_code& ec, std::size_t bytes);
    void do_heartbeat(std::chrono::milliseconds delay);
    void on_heartbeat(const boost::system::error_code& ec);
    /// Starts the closing handshake: queues a close frame (after the frames already queued,
    /// or instead of them when `drop_queue`), tells the hub, bounds the wait with a timer.
    void start_close(std::uint16_t code, std::string reason, bool drop_queue);
    /// Ends the session at once: closes the socket and cancels the timer.
    void finish(std::string_view why);

    Stream stream_;
    boost::asio::steady_timer timer_;  ///< heartbeat; after start_close, the close deadline
    session_context& ctx_;
    std::string peer_;
    ws::frame_parser parser_;
    chat::token_bucket bucket_;    ///< posting: message, edit, delete, typing
    chat::token_bucket requests_;  ///< every frame, charged before it is decoded
    int unanswered_heartbeats_ = 0;
    bool closing_ = false;   ///< strand: the closing handshake has begun
    bool finished_ = false;  ///< strand: the socket is closed
    bool writing_ = false;   ///< strand: an async_write is in flight
    std::uint16_t close_code_ = 0;
    std::vector<chat::shared_frame> in_flight_;        ///< strand: the frames being written
    std::vector<boost::asio::const_buffer> buffers_;  ///< strand: their buffers

    std::mutex mutex_;  ///< guards the members below; never held during I/O
    std::vector<chat::shared_frame> queue_;
    std::size_t queued_bytes_ = 0;  ///< queued + in flight, against the send-queue bound
    bool write_posted_ = false;     ///< a do_write is posted or a write is in flight
    bool send_closed_ = false;      ///< a close frame is queued: nothing more is accepted
    chat::error_budget budget_;

    /// What only a TLS session has; strand.
    struct tls_state {
        /// The most plaintext one TLS record carries (RFC 8446 5.1): one read takes a record.
        std::array<char, 16 * 1024> buffer;
        bool peer_closed = false;    ///< the peer's close frame arrived: nothing more to read
        bool close_written = false;  ///< our close frame is out
        bool shutting_down = false;  ///< async_shutdown has started
    };
    struct no_tls_state {};
    [[no_unique_address]] std::conditional_t<is_tls, tls_state, no_tls_state> tls_;

    address_slot slot_;  ///< this connection's count against its address's limit
};

}  // namespace parley::server
