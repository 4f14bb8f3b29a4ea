#include "client_pool.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <variant>

#include "frame_fields.hpp"
#include "parley/core/codec.hpp"
#include "proc_stats.hpp"

namespace parley::bench {
namespace {

// Enough events per epoll_wait to drain a busy turn without a second syscall.
constexpr int max_events = 1024;
// Read buffer shared by every client of the loop: one read takes all a socket has
// (loopback rarely holds more), and a partial frame is copied to its front first.
constexpr std::size_t scratch_bytes = 2 * 1024 * 1024;
// Distinct failure details kept for the report; the counts say the rest.
constexpr std::size_t max_failure_samples = 5;

bool in_handshake(client_state s) {
    return s == client_state::connecting || s == client_state::upgrading || s == client_state::joining ||
           s == client_state::identifying;
}

const std::string& heartbeat_reply_json() {
    static const std::string json = parley::encode(client_frame{heartbeat_reply{}, std::nullopt});
    return json;
}

}  // namespace

std::string_view to_string(failure_kind kind) {
    switch (kind) {
        case failure_kind::connect_error:
            return "connect_error";
        case failure_kind::upgrade_refused:
            return "upgrade_refused";
        case failure_kind::closed_by_server:
            return "closed_by_server";
        case failure_kind::identity_refused:
            return "identity_refused";
        case failure_kind::handshake_timeout:
            return "handshake_timeout";
        case failure_kind::protocol_error:
            return "protocol_error";
        case failure_kind::send_overflow:
            return "send_overflow";
    }
    return "unknown";
}

void pool_events::on_error(std::size_t, std::string_view, std::string_view) {}
std::int64_t pool_events::on_tick(std::int64_t) {
    return 0;
}

client_pool::client_pool(pool_config config, pool_events& events)
    : config_(std::move(config)), events_(events), scratch_(scratch_bytes) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (config_.endpoints.empty()) config_.endpoints.emplace_back(config_.host, config_.port);
    for (const auto& [host, port] : config_.endpoints) host_ports_.push_back(host + ":" + std::to_string(port));
    rng_ ^= static_cast<std::uint64_t>(now_ns());
}

client_pool::~client_pool() {
    for (std::size_t i = 0; i < clients_.size(); ++i)
        if (clients_[i].fd >= 0) ::close(clients_[i].fd);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

std::size_t client_pool::add(std::string channel, std::string user) {
    bench_client c;
    c.channel = std::move(channel);
    c.user = std::move(user);
    c.endpoint = clients_.size() % config_.endpoints.size();
    clients_.push_back(std::move(c));
    return clients_.size() - 1;
}

std::uint32_t client_pool::next_mask() {
    // xorshift64: masking keys need not be secret here, only vary (RFC 6455, 5.3).
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<std::uint32_t>(rng_ >> 16);
}

void client_pool::connect_all(std::int64_t deadline_ns) {
    if (epoll_fd_ < 0) {
        for (std::size_t i = next_to_start_; i < clients_.size(); ++i)
            fail(i, failure_kind::connect_error, std::string("epoll_create1: ") + std::strerror(errno));
        next_to_start_ = clients_.size();
        return;
    }
    std::int64_t next_timeout_check = 0;
    while (true) {
        while (in_handshake_ < config_.handshake_batch && next_to_start_ < clients_.size())
            start(next_to_start_++);
        flush_dirty();
        const std::int64_t now = now_ns();
        if (now >= next_timeout_check) {
            check_handshake_timeouts(now);
            next_timeout_check = now + 100'000'000;
        }
        if (in_handshake_ == 0 && next_to_start_ == clients_.size()) return;
        if (now >= deadline_ns) {
            for (std::size_t i = 0; i < clients_.size(); ++i) {
                if (in_handshake(clients_[i].state) || clients_[i].state == client_state::idle)
                    fail(i, failure_kind::handshake_timeout, "not ready by the connect deadline");
            }
            next_to_start_ = clients_.size();
            return;
        }
        turn(10);
    }
}

void client_pool::check_handshake_timeouts(std::int64_t now) {
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        const bench_client& c = clients_[i];
        if (in_handshake(c.state) && now - c.started_ns > config_.handshake_timeout_ns)
            fail(i, failure_kind::handshake_timeout, "handshake of " + c.user + " timed out");
    }
}

void client_pool::run_until(std::int64_t until_ns) {
    while (turn_until(until_ns)) {
    }
}

bool client_pool::turn_until(std::int64_t until_ns) {
    const std::int64_t now = now_ns();
    if (now >= until_ns) return false;
    std::int64_t wake = events_.on_tick(now);
    flush_dirty();  // what on_tick queued goes out before we sleep
    if (wake <= 0 || wake > until_ns) wake = until_ns;
    const std::int64_t wait_ns = wake - now_ns();
    // Round up: waking early only spins; the tick is re-checked on return.
    const int timeout_ms = wait_ns <= 0 ? 0 : static_cast<int>((wait_ns + 999'999) / 1'000'000);
    turn(timeout_ms);
    return true;
}

void client_pool::turn(int timeout_ms) {
    epoll_event events[max_events];
    const int n = epoll_wait(epoll_fd_, events, max_events, timeout_ms);
    for (int k = 0; k < n; ++k) {
        const auto index = static_cast<std::size_t>(events[k].data.u64);
        bench_client& c = clients_[index];
        if (c.fd < 0) continue;  // released earlier in this turn
        if (c.state == client_state::connecting) {
            on_connected(index);
            continue;
        }
        if ((events[k].events & EPOLLOUT) != 0) flush(index);
        if (c.fd >= 0 && (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) on_readable(index);
    }
    flush_dirty();
}

void client_pool::start(std::size_t index) {
    bench_client& c = clients_[index];
    c.started_ns = now_ns();
    c.state = client_state::connecting;
    ++in_handshake_;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(index, failure_kind::connect_error, std::string("socket: ") + std::strerror(errno));
        return;
    }
    c.fd = fd;
    ++open_;
    const int one = 1;
    // Chat frames are small and latency is what we measure: no Nagle delay.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    const auto& [host, port] = config_.endpoints[c.endpoint];
    addr.sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = index;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        fail(index, failure_kind::connect_error, std::string("epoll_ctl: ") + std::strerror(errno));
        return;
    }
    c.waiting_writable = true;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        fail(index, failure_kind::connect_error, std::string("connect: ") + std::strerror(errno));
        return;
    }
}

void client_pool::on_connected(std::size_t index) {
    bench_client& c = clients_[index];
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error != 0) {
        fail(index, failure_kind::connect_error, std::string("connect: ") + std::strerror(error));
        return;
    }
    c.state = client_state::upgrading;
    watch(index, false);
    c.out += make_upgrade_request(host_ports_[c.endpoint], "/" + c.channel, rng_ + index);
    flush(index);
}

void client_pool::watch(std::size_t index, bool writable) {
    bench_client& c = clients_[index];
    epoll_event ev{};
    ev.events = writable ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.u64 = index;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.waiting_writable = writable;
}

void client_pool::on_readable(std::size_t index) {
    bench_client& c = clients_[index];
    const std::size_t have = c.pending.size();
    if (have != 0) std::memcpy(scratch_.data(), c.pending.data(), have);
    const ssize_t n = ::recv(c.fd, scratch_.data() + have, scratch_.size() - have, 0);
    if (n == 0) {
        on_eof(index, "connection closed by the server");
        return;
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        on_eof(index, std::string("recv: ") + std::strerror(errno));
        return;
    }
    const std::int64_t now = now_ns();
    consume(index, std::string_view(scratch_.data(), have + static_cast<std::size_t>(n)), now);
}

void client_pool::consume(std::size_t index, std::string_view data, std::int64_t now) {
    bench_client& c = clients_[index];
    if (c.state == client_state::upgrading) {
        std::size_t head_length = 0;
        std::string_view status_line;
        switch (parse_upgrade_response(data, head_length, status_line)) {
            case upgrade_status::incomplete:
                if (data.size() > 16 * 1024) {
                    fail(index, failure_kind::upgrade_refused, "HTTP response head over 16 KiB");
                } else {
                    c.pending.assign(data);
                }
                return;
            case upgrade_status::refused:
                fail(index, failure_kind::upgrade_refused, "upgrade answered: " + std::string(status_line));
                return;
            case upgrade_status::accepted:
                data.remove_prefix(head_length);
                c.state = client_state::joining;
                break;
        }
    }
    while (!data.empty()) {
        server_frame_header header;
        const header_status status = parse_server_frame_header(data, header);
        if (status == header_status::incomplete) break;
        if (status == header_status::invalid) {
            fail(index, failure_kind::protocol_error, "invalid frame header from the server");
            return;
        }
        if (header.payload_length > config_.max_frame_bytes) {
            fail(index, failure_kind::protocol_error,
                 "server frame of " + std::to_string(header.payload_length) + " bytes");
            return;
        }
        const std::size_t total = header.header_length + static_cast<std::size_t>(header.payload_length);
        if (data.size() < total) break;
        on_frame(index, header,
                 data.substr(header.header_length, static_cast<std::size_t>(header.payload_length)), now);
        if (c.fd < 0) return;
        data.remove_prefix(total);
    }
    c.pending.assign(data);
}

void client_pool::on_frame(std::size_t index, const server_frame_header& header, std::string_view payload,
                           std::int64_t now) {
    bench_client& c = clients_[index];
    switch (header.opcode) {
        case ws_opcode::text:
        case ws_opcode::binary:
            if (c.fragmented) {
                fail(index, failure_kind::protocol_error, "new message inside a fragmented one");
                return;
            }
            if (!header.fin) {
                c.fragmented = true;
                c.fragments.assign(payload);
                c.fragments.insert(c.fragments.begin(), header.opcode == ws_opcode::text ? 't' : 'b');
                return;
            }
            if (header.opcode == ws_opcode::text)
                on_text(index, payload, now);
            else
                ++counters_.other_frames;
            return;
        case ws_opcode::continuation: {
            if (!c.fragmented) {
                fail(index, failure_kind::protocol_error, "continuation without a first fragment");
                return;
            }
            c.fragments.append(payload);
            if (c.fragments.size() > config_.max_frame_bytes) {
                fail(index, failure_kind::protocol_error, "fragmented message over the frame bound");
                return;
            }
            if (!header.fin) return;
            c.fragmented = false;
            // The first byte says text or binary; callbacks never touch `fragments`.
            if (c.fragments.front() == 't')
                on_text(index, std::string_view(c.fragments).substr(1), now);
            else
                ++counters_.other_frames;
            c.fragments.clear();
            return;
        }
        case ws_opcode::ping:
            send_frame(index, ws_opcode::pong, payload);
            return;
        case ws_opcode::pong:
            return;
        case ws_opcode::close:
            on_close_frame(index, payload);
            return;
    }
}

void client_pool::on_text(std::size_t index, std::string_view payload, std::int64_t now) {
    bench_client& c = clients_[index];
    const auto type = find_string_field(payload, R"("type":")");
    if (!type) {
        on_slow_text(index, payload, now);
        return;
    }
    if (*type == "message") {
        const auto text = find_string_field(payload, R"("text":")");
        if (!text) {
            on_slow_text(index, payload, now);
            return;
        }
        ++counters_.message_frames;
        ++c.messages_received;
        message_view m;
        m.text = *text;
        m.nonce = find_string_field(payload, R"("nonce":")").value_or(std::string_view{});
        events_.on_message(index, m, now);
        return;
    }
    if (*type == "heartbeat") {
        ++counters_.heartbeats_answered;
        send_text(index, heartbeat_reply_json());
        return;
    }
    if (*type == "presence" || *type == "typing") {
        ++counters_.presence_frames;
        return;
    }
    on_slow_text(index, payload, now);
}

// Everything but the hot frames goes through the protocol library: it checks each
// handshake frame against the protocol, and it reads JSON in any layout.
void client_pool::on_slow_text(std::size_t index, std::string_view payload, std::int64_t now) {
    bench_client& c = clients_[index];
    auto decoded = parley::decode_server_message(payload);
    if (!decoded) {
        fail(index, failure_kind::protocol_error,
             "server frame refused by the codec (" + decoded.error().message +
                 "): " + std::string(payload.substr(0, 120)));
        return;
    }
    server_message& message = decoded.value();
    if (auto* info = std::get_if<connection_info>(&message)) {
        if (counters_.server_name.empty()) {
            counters_.server_name = info->server;
            counters_.heartbeat_ms = info->heartbeat_ms;
        }
    } else if (std::get_if<joined_notice>(&message) != nullptr) {
        // The online list is not needed; `history` follows.
    } else if (std::get_if<history_page>(&message) != nullptr) {
        if (c.state == client_state::joining) {
            c.state = client_state::identifying;
            send_text(index, parley::encode(client_frame{identity_request{c.user}, std::nullopt}));
        }
    } else if (auto* id = std::get_if<identity_result>(&message)) {
        if (c.state != client_state::identifying) {
            ++counters_.other_frames;
        } else if (id->success) {
            become_ready(index);
        } else {
            fail(index, failure_kind::identity_refused,
                 "identity " + c.user + " refused: " + id->reason.value_or("no reason"));
        }
    } else if (auto* error = std::get_if<error_notice>(&message)) {
        const std::string code(to_string(error->code));
        ++counters_.error_codes[code];
        if (in_handshake(c.state)) {
            fail(index, failure_kind::identity_refused, "error during handshake: " + code);
        } else {
            events_.on_error(index, code, error->ref.value_or(std::string{}));
        }
    } else if (auto* chat = std::get_if<chat_message>(&message)) {
        ++counters_.message_frames;
        ++c.messages_received;
        message_view m;
        m.text = chat->text;
        m.nonce = chat->nonce ? std::string_view(*chat->nonce) : std::string_view{};
        events_.on_message(index, m, now);
    } else if (std::get_if<heartbeat_notice>(&message) != nullptr) {
        ++counters_.heartbeats_answered;
        send_text(index, heartbeat_reply_json());
    } else if (std::get_if<presence_notice>(&message) != nullptr ||
               std::get_if<typing_notice>(&message) != nullptr) {
        ++counters_.presence_frames;
    } else {
        ++counters_.other_frames;
    }
}

void client_pool::on_close_frame(std::size_t index, std::string_view payload) {
    bench_client& c = clients_[index];
    int code = 1005;  // RFC 6455, 7.4.1: no status code present
    if (payload.size() >= 2)
        code = (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
    if (c.state == client_state::closing) {
        // The server answered our close; it closes TCP next, and we wait for that EOF
        // so that the TIME_WAIT stays on its side, not on our ephemeral ports.
        return;
    }
    ++counters_.close_codes[code];
    std::string reply(payload.substr(0, 2));
    send_frame(index, ws_opcode::close, reply);
    flush(index);
    std::string reason(payload.size() > 2 ? payload.substr(2) : std::string_view{});
    fail(index, failure_kind::closed_by_server,
         "server closed " + c.user + " with " + std::to_string(code) + (reason.empty() ? "" : " " + reason));
}

void client_pool::on_eof(std::size_t index, std::string_view why) {
    bench_client& c = clients_[index];
    if (c.state == client_state::closing) {
        release(index, client_state::closed, false);
        return;
    }
    fail(index, failure_kind::closed_by_server, c.user + ": " + std::string(why));
}

void client_pool::send_text(std::size_t index, std::string_view json) {
    send_frame(index, ws_opcode::text, json);
}

void client_pool::send_frame(std::size_t index, ws_opcode opcode, std::string_view payload) {
    bench_client& c = clients_[index];
    if (c.fd < 0) return;
    append_client_frame(c.out, opcode, payload, next_mask());
    if (c.out.size() - c.out_sent > config_.max_out_bytes) {
        fail(index, failure_kind::send_overflow, c.user + ": our queue to the server passed its bound");
        return;
    }
    if (!c.dirty) {
        c.dirty = true;
        dirty_.push_back(index);
    }
}

void client_pool::flush_dirty() {
    // Indices may be appended while flushing (a failure never appends, but be safe).
    for (std::size_t k = 0; k < dirty_.size(); ++k) {
        const std::size_t index = dirty_[k];
        clients_[index].dirty = false;
        if (clients_[index].fd >= 0 && !clients_[index].waiting_writable) flush(index);
    }
    dirty_.clear();
}

void client_pool::flush(std::size_t index) {
    bench_client& c = clients_[index];
    while (c.out_sent < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!c.waiting_writable) watch(index, true);
                return;
            }
            on_eof(index, std::string("send: ") + std::strerror(errno));
            return;
        }
        c.out_sent += static_cast<std::size_t>(n);
    }
    c.out.clear();
    c.out_sent = 0;
    if (c.waiting_writable && c.state != client_state::connecting) watch(index, false);
}

void client_pool::become_ready(std::size_t index) {
    clients_[index].state = client_state::ready;
    --in_handshake_;
    ++ready_;
}

void client_pool::fail(std::size_t index, failure_kind kind, std::string detail) {
    bench_client& c = clients_[index];
    const auto k = static_cast<std::size_t>(kind);
    if (c.state == client_state::ready || c.state == client_state::closing) {
        ++counters_.lost_after_ready[k];
    } else if (c.state != client_state::closed && c.state != client_state::failed) {
        ++counters_.failed_before_ready[k];
    } else {
        return;
    }
    std::string sample = std::string(to_string(kind)) + ": " + detail;
    if (counters_.failure_samples.size() < max_failure_samples &&
        std::find(counters_.failure_samples.begin(), counters_.failure_samples.end(), sample) ==
            counters_.failure_samples.end())
        counters_.failure_samples.push_back(std::move(sample));
    release(index, client_state::failed, true);
}

void client_pool::release(std::size_t index, client_state final_state, bool reset) {
    bench_client& c = clients_[index];
    if (in_handshake(c.state)) --in_handshake_;
    if (c.state == client_state::ready || c.state == client_state::closing) --ready_;
    if (c.fd >= 0) {
        if (reset) {
            // An abortive close leaves no TIME_WAIT behind to eat ephemeral ports.
            const linger abort{1, 0};
            setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        }
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.fd = -1;
        --open_;
    }
    c.state = final_state;
    c.pending.clear();
    c.pending.shrink_to_fit();
    c.out.clear();
    c.out_sent = 0;
}

void client_pool::close_all(std::int64_t deadline_ns) {
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        bench_client& c = clients_[i];
        if (c.fd < 0) continue;
        if (c.state != client_state::ready) {
            release(i, client_state::closed, true);
            continue;
        }
        const char normal[2] = {static_cast<char>(1000 >> 8), static_cast<char>(1000 & 0xFF)};
        send_frame(i, ws_opcode::close, std::string_view(normal, 2));
        c.state = client_state::closing;
    }
    flush_dirty();
    while (open_ > 0 && now_ns() < deadline_ns) turn(10);
    for (std::size_t i = 0; i < clients_.size(); ++i)
        if (clients_[i].fd >= 0) release(i, client_state::closed, true);
}

std::uint64_t client_pool::failed_before_ready() const {
    std::uint64_t n = 0;
    for (auto v : counters_.failed_before_ready) n += v;
    return n;
}

std::uint64_t client_pool::lost_after_ready() const {
    std::uint64_t n = 0;
    for (auto v : counters_.lost_after_ready) n += v;
    return n;
}

std::string client_pool::failure_report() const {
    std::string out;
    for (std::size_t k = 0; k < failure_kind_count; ++k) {
        const auto kind = static_cast<failure_kind>(k);
        if (counters_.failed_before_ready[k] != 0)
            out += "  failed before ready: " + std::to_string(counters_.failed_before_ready[k]) + " " +
                   std::string(to_string(kind)) + "\n";
        if (counters_.lost_after_ready[k] != 0)
            out += "  lost after ready:    " + std::to_string(counters_.lost_after_ready[k]) + " " +
                   std::string(to_string(kind)) + "\n";
    }
    for (const auto& [code, n] : counters_.close_codes)
        out += "  close frames from the server: " + std::to_string(n) + " with code " + std::to_string(code) +
               "\n";
    for (const auto& sample : counters_.failure_samples) out += "  e.g. " + sample + "\n";
    return out;
}

}  // namespace parley::bench
