#pragma once
// Drives a chat_model against a fake transport: the test plays the server with typed
// messages (encoded by core, as a real server's frames are) and reads what the model sent.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/chat_model.hpp"
#include "parley/core/codec.hpp"
#include "support/fake_transport.hpp"

namespace parley::client::test {

/// A chat message as a server would broadcast it.
inline chat_message msg(message_id id, std::string channel, std::string user, std::string text,
                        std::optional<std::string> nonce = std::nullopt) {
    chat_message m;
    m.id = id;
    m.channel = std::move(channel);
    m.user = std::move(user);
    m.text = std::move(text);
    m.timestamp = 1'652'997'756'000 + id;
    m.nonce = std::move(nonce);
    return m;
}

/// Messages `first`..`last` in `channel` from `user`, oldest first.
inline std::vector<chat_message> msgs(message_id first, message_id last, const std::string& channel,
                                      const std::string& user = "bob") {
    std::vector<chat_message> out;
    for (message_id id = first; id <= last; ++id) out.push_back(msg(id, channel, user, "m" + std::to_string(id)));
    return out;
}

/// The default configuration of the tests: guest "ann" in #general, a fixed seed.
inline model_config test_model_config() {
    model_config config;
    config.server_url = "ws://127.0.0.1:9";
    config.channel = "general";
    config.user_name = "ann";
    config.seed = 42;
    return config;
}

class harness {
public:
    explicit harness(model_config config = test_model_config()) : model(link, std::move(config)) {}

    /// The transport says the socket opened.
    void open() {
        link.open = true;
        model.handle(transport_event{transport_event::kind::opened, {}, 0}, now);
    }
    /// A frame from the server.
    void server(const server_message& message) {
        model.handle(transport_event{transport_event::kind::text, encode(message), 0}, now);
    }
    /// The `connection` frame.
    void welcome(const std::string& channel = "general", int heartbeat_ms = 15000) {
        connection_info info;
        info.id = channel;
        info.session = "s1";
        info.server = "parley/1.0";
        info.heartbeat_ms = heartbeat_ms;
        server(info);
    }
    /// The server grants the name the model claimed.
    void grant(const std::string& name = "ann") { server(identity_result{true, name, std::nullopt}); }
    /// The link drops (the transport's close event).
    void drop(std::uint16_t code = 1006) {
        link.open = false;
        model.handle(transport_event{transport_event::kind::closed, "gone", code}, now);
    }
    /// Moves the clock and ticks the model.
    void advance(unix_ms ms) {
        now += ms;
        model.tick(now);
    }
    /// Start, open, welcome, grant, joined and an initial history of `history`.
    void connect_ready(std::vector<chat_message> history = {}, bool has_more = false,
                       std::vector<std::string> users = {"ann"}) {
        model.start(now);
        open();
        welcome();
        grant();
        server(joined_notice{"general", std::move(users)});
        server(history_page{"general", std::move(history), has_more});
    }

    /// Every frame sent since the last call, decoded.
    std::vector<client_frame> take_sent() {
        std::vector<client_frame> out;
        for (const std::string& text : link.sent) {
            auto frame = decode_client_frame(text);
            if (frame) out.push_back(std::move(frame).value());
        }
        link.sent.clear();
        return out;
    }
    /// The frames of type T sent since the last take, with their nonces; others are dropped.
    template <class T>
    std::vector<std::pair<T, std::optional<std::string>>> sent_of() {
        std::vector<std::pair<T, std::optional<std::string>>> out;
        for (client_frame& frame : take_sent())
            if (auto* m = std::get_if<T>(&frame.message)) out.emplace_back(std::move(*m), frame.nonce);
        return out;
    }

    /// Ids of a channel's delivered messages, in order.
    std::vector<message_id> ids(const std::string& channel = "general") const {
        std::vector<message_id> out;
        if (const channel_state* c = model.find_channel(channel))
            for (const message_entry& m : c->messages) out.push_back(m.id);
        return out;
    }
    const channel_state& channel(const std::string& name = "general") const { return *model.find_channel(name); }
    /// The newest error entry, or an empty one.
    error_entry last_error() const { return model.errors().empty() ? error_entry{} : model.errors().back(); }

    fake_transport link;
    chat_model model;
    unix_ms now = 1'000'000;
};

/// Ids first..last.
inline std::vector<message_id> range(message_id first, message_id last) {
    std::vector<message_id> out;
    for (message_id id = first; id <= last; ++id) out.push_back(id);
    return out;
}

}  // namespace parley::client::test
