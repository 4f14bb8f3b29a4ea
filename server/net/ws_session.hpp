#pragma once
// One WebSocket connection after the upgrade. It only moves bytes: it reads, feeds the
// frame parser, asks its connection_policy what each frame means (net/connection_policy.hpp),
// and writes what is queued (net/send_queue.hpp). Closing is one state machine for both
// transports (net/close_handshake.hpp); what frames do to rooms is the hub's job.
//
// Two transports, one template: a plain TCP socket, read with a zero-buffer wait so that an
// idle connection owns no read buffer; and TLS (net/tls_stream.hpp), which must decrypt into
// memory of its own, so a TLS session carries a record-sized buffer.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chat/connection.hpp"
#include "net/address_limiter.hpp"
#include "net/close_handshake.hpp"
#include "net/connection_policy.hpp"
#include "net/send_queue.hpp"
#include "net/session_context.hpp"
#include "ws/frame_parser.hpp"

namespace parley::server {

/// A WebSocket session over `Stream`: boost::asio::ip::tcp::socket, or tls_stream after a
/// TLS handshake; ws_session.cpp instantiates both. Made with make_shared; every pending
/// operation holds a shared_ptr to it; the hub holds weak_ptrs. Its stream's executor is a
/// strand: everything but enqueue(), flush(), close() and charge_protocol_error() runs on it.
template <class Stream>
class ws_session final : public chat::connection, private ws::frame_events {
public:
    /// Takes over `stream` (whose executor is a strand) after a valid upgrade request, and
    /// `slot`, its address's count (net/address_limiter.hpp), held until destruction.
    ws_session(Stream stream, session_context& ctx, std::string session_id, std::string address,
               std::uint16_t port, address_slot slot);
    ~ws_session() override;

    /// Sends the handshake answer (`handshake`, raw HTTP bytes) and starts the session
    /// in `channel`; `leftover` holds bytes the client sent after its upgrade request.
    void start(std::string handshake, std::optional<chat::verified_account> account, std::string channel,
               std::optional<message_id> since, std::string leftover);

    /// Any thread. Counts the frame by kind (metrics/frame_kind.hpp) unless dropped; a push
    /// over the queue's bound closes the session as a slow consumer (1008), counted once.
    chat::send_outcome enqueue(chat::shared_frame frame) override;
    /// The session's strand (the listener accepts every socket onto a strand of its own).
    boost::asio::any_io_executor serial_executor() override { return stream_.get_executor(); }
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
    /// Carries out the policy's answer.
    void act(policy::action action);

    /// Starts the next read: a zero-buffer wait (plain) or a read into tls_buffer_ (TLS).
    void do_read();
    void on_readable(const boost::system::error_code& ec) requires(!is_tls);
    void on_tls_read(const boost::system::error_code& ec, std::size_t bytes) requires(is_tls);
    /// Feeds what was read to the parser; whether to read on (close_handshake::reads).
    bool on_bytes(char* data, std::size_t size);
    void on_read_error(const boost::system::error_code& ec);

    void do_write();
    void on_write(const boost::system::error_code& ec, std::size_t bytes);
    void do_heartbeat(std::chrono::milliseconds delay);
    void on_heartbeat(const boost::system::error_code& ec);

    /// Starts the closing handshake: queues a close frame (after the frames already queued,
    /// or instead of them when `drop_queue`), tells the hub, bounds the wait with a timer.
    void start_close(std::uint16_t code, std::string reason, bool drop_queue);
    /// Ends the send side once close_ says so: shutdown(send), or close_notify over TLS.
    void end_send();
    /// Ends the session at once: closes the socket and cancels the timer.
    void finish(std::string_view why);
    /// "address:port", for logs: made when logged, not kept in every idle connection.
    std::string peer() const { return address().empty() ? "?" : address() + ":" + std::to_string(port_); }

    Stream stream_;
    boost::asio::steady_timer timer_;  ///< heartbeat; after start_close, the close deadline
    session_context& ctx_;
    std::uint16_t port_;  ///< the peer's port, for logs (peer())
    ws::frame_parser parser_;       ///< strand
    connection_policy policy_;      ///< strand (charge_error: any thread)
    close_handshake close_;         ///< strand
    send_queue queue_;              ///< any thread (its own lock)
    bool writing_ = false;          ///< strand: an async_write is in flight
    std::vector<chat::shared_frame> in_flight_;        ///< strand: the frames being written
    std::vector<boost::asio::const_buffer> buffers_;  ///< strand: their buffers

    /// TLS only: the most plaintext one TLS record carries (RFC 8446 5.1); strand.
    struct no_buffer {};
    using tls_buffer = std::array<char, 16 * 1024>;
    [[no_unique_address]] std::conditional_t<is_tls, tls_buffer, no_buffer> tls_buffer_;

    address_slot slot_;  ///< this connection's count against its address's limit
};

}  // namespace parley::server
