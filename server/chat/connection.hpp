#pragma once
// What the chat logic knows of one WebSocket connection: a way to send frames and to
// close it, and the protocol state the hub keeps for it. The WebSocket session
// implements the transport half; tests implement it with a recorder.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>

#include "chat/outgoing_frame.hpp"
#include "parley/core/messages.hpp"

namespace parley::server::chat {

/// What became of a frame handed to connection::enqueue().
enum class send_outcome {
    queued,        ///< in the queue; a write already on its way will take it
    flush_needed,  ///< in the queue, and this frame reserved the next write: call flush()
    dropped,       ///< not queued: the connection is closed or closing (e.g. a slow consumer)
};

/// Who a connection is when the server opens it with a verified token (http_session
/// verifies it; the hub writes it into the connection's state on open).
struct verified_account {
    std::string name;        ///< display name
    std::int64_t id = 0;     ///< account id (never reused)
    bool admin = false;
};

/// One client connection. Made with make_shared (the hub keeps weak_ptrs to it).
class connection : public std::enable_shared_from_this<connection> {
public:
    /// The protocol state of a connection. Read and written on the connection's home strand
    /// only (hub.hpp, "Threading"); the channels' shards never touch it.
    struct hub_state {
        std::optional<std::string> name;     ///< display name, once identified
        std::string folded;                  ///< fold_name(*name): the uniqueness key
        std::optional<std::string> account;  ///< the account, when signed in with a token
        std::optional<std::int64_t> account_id;  ///< its id (never reused): what owns its messages
        bool admin = false;                  ///< the account's role is admin
        std::vector<std::string> channels;   ///< channels joined, in join order
        std::vector<std::string> joining;    ///< joins waiting for their history read
        /// An identity claim out at the shards of the connection's channels (hub_identity.cpp).
        struct name_claim {
            std::string display;
            std::string folded;
            int waiting = 0;                    ///< shards yet to answer
            bool refused = false;               ///< one of them found the name taken
            std::vector<std::string> accepted;  ///< channels whose shard reserved the name
        };
        /// Rare and short-lived: held out of line so an idle connection does not carry it.
        std::unique_ptr<name_claim> claim;
        bool open = true;                    ///< false once the hub saw it close
        std::vector<client_frame> deferred;  ///< frames that arrived meanwhile, in order

        /// A join or an identity is in flight: later frames wait for it.
        bool busy() const { return claim != nullptr || !joining.empty(); }
    };
    /// `address` is the peer's IP address (what a ban covers besides the name).
    explicit connection(std::string session_id, std::string address = {})
        : session_id_(std::move(session_id)), address_(std::move(address)) {}
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    virtual ~connection() = default;

    /// Queues `frame` without starting a write (see send_outcome). Any thread; never
    /// blocks. A connection whose queue is already over its bound closes itself as a slow
    /// consumer instead (and answers dropped).
    virtual send_outcome enqueue(shared_frame frame) = 0;
    /// Starts the write that enqueue() reserved. Any thread.
    virtual void flush() = 0;
    /// Queues `frame` and makes sure it is written. Any thread.
    send_outcome send(shared_frame frame) {
        const auto outcome = enqueue(std::move(frame));
        if (outcome == send_outcome::flush_needed) flush();
        return outcome;
    }
    /// Sends a close frame with `code` and ends the connection. Any thread; idempotent.
    virtual void close(std::uint16_t code, std::string_view reason) = 0;
    /// Charges a malformed frame to the connection's budget. False when it is over the
    /// budget: the connection is then closing with 1008 and the frame is not answered.
    /// Any thread.
    virtual bool charge_protocol_error() = 0;

    /// The random id sent in the `connection` frame; owner key of a guest's messages.
    const std::string& session_id() const { return session_id_; }
    /// The peer's IP address.
    const std::string& address() const { return address_; }

    /// Whether the connection has a name (the heartbeat's `authenticated`). Any thread.
    bool is_named() const { return named_.load(std::memory_order_acquire); }
    /// Sets is_named(); called by the hub when it grants a name.
    void mark_named() { named_.store(true, std::memory_order_release); }

    /// The hub's state for this connection; its home strand only.
    hub_state& state() { return state_; }
    const hub_state& state() const { return state_; }

    /// An executor that runs one handler at a time (a strand) that the hub may use as this
    /// connection's home, or a null executor, and the hub makes a strand of its own. A
    /// WebSocket session offers its own strand: a frame it hands to the hub then stays on
    /// that strand (no hand-off to another thread's queue), and an idle connection holds
    /// no second strand (W3). Any thread.
    virtual boost::asio::any_io_executor serial_executor() { return {}; }

    /// The strand the hub runs this connection's protocol state on, settled once by
    /// hub::open on the thread that then calls hub::handle and hub::closed (the session's
    /// strand): the connection's own serial_executor(), or a strand the hub made for one
    /// that offers none (set_home). Only the latter is stored: a session's strand is
    /// already in its socket, and an idle connection should not carry a second copy.
    void use_own_home() { opened_ = true; }
    void set_home(boost::asio::any_io_executor strand) {
        made_home_ = std::make_unique<boost::asio::any_io_executor>(std::move(strand));
        opened_ = true;
    }
    /// The home strand; only after hub::open.
    boost::asio::any_io_executor home() { return made_home_ ? *made_home_ : serial_executor(); }
    /// Whether hub::open has run (same thread as use_own_home / set_home).
    bool has_home() const { return opened_; }

    /// Whether the hub has seen the connection close. Any thread: shards read it so that a
    /// late join completion does not put a closed connection into a room.
    bool hub_closed() const { return hub_closed_.load(std::memory_order_acquire); }
    /// Sets hub_closed(); the hub, on the home strand, before it leaves the channels.
    void mark_hub_closed() { hub_closed_.store(true, std::memory_order_release); }

private:
    std::string session_id_;
    std::string address_;
    std::atomic<bool> named_{false};
    std::atomic<bool> hub_closed_{false};
    hub_state state_;
    bool opened_ = false;
    std::unique_ptr<boost::asio::any_io_executor> made_home_;  ///< null: serial_executor() is home
};

}  // namespace parley::server::chat
