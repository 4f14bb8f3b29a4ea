#pragma once
// The hub on the test thread: an io_context polled until idle, the in-memory store, a manual
// clock, a directory the test configures, and connections that record what they are sent.
// No threads, no sleeps: what a test sees is fully decided by what it did.

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "bus/stream_sequencer.hpp"
#include "chat/hub.hpp"
#include "parley/core/codec.hpp"
#include "manual_clock.hpp"
#include "memory_store.hpp"

namespace parley::server::test {

/// A connection that records what it is sent. A frame is visible only once flushed (as on a
/// socket); each flush is one "write", so tests can see which frames went out together.
class recording_connection final : public chat::connection {
public:
    explicit recording_connection(std::string id, std::string address = "10.0.0.1")
        : chat::connection(std::move(id), std::move(address)) {}

    chat::send_outcome enqueue(chat::shared_frame frame) override {
        if (closed) return chat::send_outcome::dropped;
        if (own_strand) sent_on_own_strand.push_back(own_strand->running_in_this_thread());
        auto decoded = decode_server_message(frame->payload());
        REQUIRE(decoded.ok());
        pending_.push_back(std::move(decoded).value());
        if (write_reserved_) return chat::send_outcome::queued;
        write_reserved_ = true;
        return chat::send_outcome::flush_needed;
    }
    void flush() override {
        write_reserved_ = false;
        if (pending_.empty()) return;
        writes.push_back(pending_);
        for (auto& m : pending_) frames_.push_back(std::move(m));
        pending_.clear();
    }
    void close(std::uint16_t code, std::string_view) override {
        close_code = code;
        closed = true;
    }
    bool charge_protocol_error() override { return ++protocol_errors <= error_budget; }
    boost::asio::any_io_executor serial_executor() override {
        if (own_strand) return *own_strand;
        return {};
    }

    /// Every frame flushed since the last take(), in order.
    std::vector<server_message> take() { return std::exchange(frames_, {}); }
    /// The first frame of type T among those flushed since the last take() (dropping those
    /// before it); REQUIREs there is one.
    template <class T>
    T next() {
        while (!frames_.empty()) {
            auto m = std::move(frames_.front());
            frames_.erase(frames_.begin());
            if (auto* t = std::get_if<T>(&m)) return *t;
        }
        FAIL("no frame of the expected type");
        return T{};
    }
    template <class T>
    int count() const {
        int n = 0;
        for (const auto& f : frames_) n += std::holds_alternative<T>(f);
        return n;
    }
    /// Frames enqueued but never flushed: a send that bypassed the batched path's flush.
    std::size_t unflushed() const { return pending_.size(); }

    std::vector<std::vector<server_message>> writes;  ///< each flush's frames
    int protocol_errors = 0;
    int error_budget = 20;
    bool closed = false;
    std::optional<std::uint16_t> close_code;
    /// Set before open: the strand this connection offers the hub as its home (as a session
    /// offers its own); then each enqueue records whether it ran on that strand.
    std::optional<boost::asio::strand<boost::asio::io_context::executor_type>> own_strand;
    std::vector<bool> sent_on_own_strand;

private:
    bool write_reserved_ = false;
    std::vector<server_message> pending_;
    std::vector<server_message> frames_;
};

using conn = std::shared_ptr<recording_connection>;

/// Accounts, bans and the audit log as a test sets them up.
class test_directory final : public chat::directory {
public:
    std::set<std::string> accounts;   ///< folded account names
    std::set<std::string> banned;     ///< folded names and addresses
    struct ban {
        std::string actor, folded;
        std::vector<std::string> addresses;
        std::int64_t until_ms;
    };
    std::vector<ban> bans;
    std::vector<chat::moderation_event> log;

    bool is_account_name(std::string_view folded) const override { return accounts.contains(std::string(folded)); }
    bool is_banned(std::string_view folded, std::string_view address) const override {
        return banned.contains(std::string(folded)) || banned.contains(std::string(address));
    }
    void record_ban(const std::string& actor, const std::string& folded, const std::vector<std::string>& addresses,
                    std::int64_t until_ms) override {
        bans.push_back({actor, folded, addresses, until_ms});
    }
    void record(chat::moderation_event event) override { log.push_back(std::move(event)); }
    bool logged(const std::string& action) const {
        for (const auto& e : log)
            if (e.action == action) return true;
        return false;
    }
};

/// Presence shared with other servers, without them: claims are answered at once (refused
/// for the names in `taken`), what this server tells is recorded, and a test plays the
/// other servers through `handlers`.
class fake_presence final : public presence_exchange {
public:
    std::set<std::string> taken;             ///< "channel/folded" another server's guest holds
    std::vector<std::string> told;           ///< "claim channel/folded", "arrive ...", "depart ..."
    presence_handlers handlers;

    void claim_guest(const std::string& channel, const std::string& folded, const std::string&,
                     std::function<void(bool)> done) override {
        const bool free = !taken.contains(channel + "/" + folded);
        if (free) told.push_back("claim " + channel + "/" + folded);
        done(free);
    }
    void account_arrived(const std::string& channel, const std::string& folded, const std::string&) override {
        told.push_back("arrive " + channel + "/" + folded);
    }
    void departed(const std::string& channel, const std::string& folded) override {
        told.push_back("depart " + channel + "/" + folded);
    }
    void guest_named(const std::string& folded, const std::string&, bool online) override {
        told.push_back((online ? "named " : "unnamed ") + folded);
    }
    bool remote_guest_online(std::string_view folded) const override {
        for (const auto& key : taken)
            if (key.substr(key.find('/') + 1) == folded) return true;
        return false;
    }
    void set_handlers(presence_handlers h) override { handlers = std::move(h); }
};

/// The bus of servers sharing a database, without the database: this server's events go
/// through a stream_sequencer as postgres_stream's do, and a test plays the stream reader
/// (read()) with other servers' events.
class sequenced_bus final : public message_bus {
public:
    void subscribe(handler receive) override { receive_ = std::move(receive); }
    void publish(channel_event event) override {
        if (event.position != 0) sequencer_.own(std::move(event));
        else if (receive_) receive_(event);
    }
    /// An event as the stream reader hands it over.
    void read(channel_event event) { sequencer_.read(std::move(event)); }
    presence_exchange* presence() override { return shared_presence; }
    /// Set before the hub is made to share presence (bus/presence.hpp).
    presence_exchange* shared_presence = nullptr;
    /// Another server's message at `position`, as its event reads.
    void read_message(stream_position position, const chat_message& m) {
        channel_event e;
        e.channel = m.channel;
        e.payload = encode(server_message{m});
        e.position = position;
        read(std::move(e));
    }

private:
    handler receive_;
    stream_sequencer sequencer_{[this](channel_event e) {
        if (receive_) receive_(e);
    }};
};

/// A hub with `shards` shards, driven from the test thread. `streamed`: on a sequenced_bus
/// with a store that gives stream positions (servers sharing a database).
struct hub_harness {
    boost::asio::io_context ioc;
    memory_store store;
    local_bus bus;
    sequenced_bus stream;
    fake_presence presence;
    test_directory names;
    server_metrics metrics;
    manual_clock clock;
    chat::hub_options options;
    std::unique_ptr<chat::hub> hub;
    int next_id = 0;

    /// `shared`: on a sequenced_bus whose presence is `presence` (implies streamed).
    explicit hub_harness(std::size_t shards = 4, chat::hub_options o = {}, bool streamed = false, bool shared = false)
        : options(std::move(o)) {
        options.shards = shards;
        streamed = streamed || shared;
        if (shared) stream.shared_presence = &presence;
        store.positions = streamed;
        message_bus& used = streamed ? static_cast<message_bus&>(stream) : bus;
        hub = std::make_unique<chat::hub>(ioc.get_executor(), store, used, names, metrics, clock, options);
        run();
    }

    /// Runs every handler that is ready, and those they post, until none is left.
    void run() {
        ioc.restart();
        for (int round = 0; round < 100000 && ioc.poll() > 0; ++round) {
        }
    }
    /// Moves the clock on by `ms`, running the hub's work at each delayed call's due time.
    void advance(std::int64_t ms) {
        while (true) {
            const auto next = clock.until_next();
            if (next < 0 || next > ms) break;
            clock.advance(next);
            ms -= next;
            run();
        }
        clock.advance(ms);
        run();
    }

    /// A connection opened on `channel` (not yet run: the caller runs the hub).
    conn connect(const std::string& channel = "general", std::optional<message_id> since = std::nullopt,
                 std::optional<chat::verified_account> account = std::nullopt, std::string address = "10.0.0.1") {
        auto c = std::make_shared<recording_connection>("session" + std::to_string(next_id++), std::move(address));
        hub->open(c, std::move(account), channel, since);
        return c;
    }
    /// A connection opened on `channel` whose welcome (connection, joined, history) is read.
    conn open(const std::string& channel = "general", std::optional<chat::verified_account> account = std::nullopt,
              std::string address = "10.0.0.1") {
        auto c = connect(channel, std::nullopt, std::move(account), std::move(address));
        run();
        c->next<connection_info>();
        c->next<joined_notice>();
        c->next<history_page>();
        return c;
    }
    /// A connection signed in as an account (a verified token) in `channel`.
    conn account(const std::string& name, const std::string& channel = "general", bool admin = false) {
        return open(channel, chat::verified_account{name, 100 + next_id, admin});
    }
    void send(const conn& c, client_message m, std::optional<std::string> nonce = std::nullopt) {
        hub->handle(c, client_frame{std::move(m), std::move(nonce)});
        run();
    }
    /// A guest named `name` in `channel`, its frames so far taken.
    conn named(const std::string& name, const std::string& channel = "general", std::string address = "10.0.0.1") {
        auto c = open(channel, std::nullopt, std::move(address));
        send(c, identity_request{name});
        auto answer = c->next<identity_result>();
        REQUIRE(answer.success);
        c->take();
        return c;
    }
    void join(const conn& c, const std::string& channel) {
        send(c, join_request{channel, std::nullopt});
        c->next<joined_notice>();
        c->next<history_page>();
    }
    chat_message post(const conn& c, const std::string& text, std::optional<std::string> channel = std::nullopt) {
        send(c, post_message{std::move(channel), text}, "n-" + text);
        return c->next<chat_message>();
    }
    void close(const conn& c) {
        c->closed = true;
        hub->closed(c);
        run();
    }
    /// Two channel names whose shards differ (and differ from each other).
    std::vector<std::string> channels_on_distinct_shards(std::size_t n) const {
        std::vector<std::string> out;
        std::set<std::size_t> used;
        for (int i = 0; out.size() < n && i < 1000; ++i) {
            std::string name = "ch" + std::to_string(i);
            if (used.insert(chat::hub::shard_of(name, options.shards)).second) out.push_back(name);
        }
        REQUIRE(out.size() == n);
        return out;
    }
    /// A channel name on the same shard as `other`, but not `other`.
    std::string channel_on_shard_of(const std::string& other) const {
        const auto target = chat::hub::shard_of(other, options.shards);
        for (int i = 0; i < 1000; ++i) {
            std::string name = "same" + std::to_string(i);
            if (name != other && chat::hub::shard_of(name, options.shards) == target) return name;
        }
        FAIL("no channel on that shard");
        return {};
    }
};

}  // namespace parley::server::test
