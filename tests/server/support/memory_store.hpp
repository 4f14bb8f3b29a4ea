#pragma once
// A message store in memory for the hub's unit tests: synchronous (each completion runs
// inline, which satisfies "callbacks in commit order"), with seq, nonces, history pages in
// every direction, change rules and the channel list as the SQLite store has them. It can be
// told to fail (server_error answers) and to hold completions back and release them later
// (the join/commit ordering invariant, deferred frames).

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "parley/core/limits.hpp"
#include "store/store.hpp"

namespace parley::server::test {

class memory_store final : public message_store {
public:
    /// Every later operation fails (until set back to false).
    bool failing = false;

    /// Completions from now on wait for release() (operations still run at once, in order).
    void hold() { holding_ = true; }
    /// Runs the completions held back, in commit order, and stops holding.
    void release() {
        holding_ = false;
        while (!held_.empty()) {
            auto f = std::move(held_.front());
            held_.pop_front();
            f();
        }
    }
    std::size_t held() const { return held_.size(); }
    /// Forgets a channel's messages (what retention does) for the channel list.
    void forget_channel(const std::string& channel) {
        std::erase_if(messages_, [&](const row& r) { return r.message.channel == channel; });
    }
    int posts() const { return posts_; }
    /// Stream positions, as PostgreSQL gives them (0 everywhere until then): every stored
    /// post, edit and delete takes the next one, and a read reports the newest.
    bool positions = false;
    /// Another server's commit: the stream moves on without a write here.
    stream_position skip_position() { return ++position_; }

    void post(new_message m, post_callback done) override {
        ++posts_;
        post_result r;
        if (failing) return complete(done, failed<post_result>());
        if (m.nonce) {
            const auto key = std::make_tuple(m.resend_scope, m.channel, *m.nonce);
            if (auto it = nonces_.find(key); it != nonces_.end()) {
                const row& earlier = *find(it->second);
                r.outcome = store_outcome::duplicate;
                r.message = earlier.message;
                r.deleted = earlier.deleted;
                return complete(done, std::move(r));
            }
        }
        row added;
        added.message.id = ++last_id_;
        added.message.seq = ++seq_[m.channel];
        added.message.channel = m.channel;
        added.message.user = m.user;
        added.message.text = m.text;
        added.message.timestamp = m.timestamp;
        added.owner = m.owner;
        if (m.nonce) nonces_[std::make_tuple(m.resend_scope, m.channel, *m.nonce)] = added.message.id;
        messages_.push_back(added);
        r.outcome = store_outcome::ok;
        r.message = added.message;
        if (positions) r.position = ++position_;
        complete(done, std::move(r));
    }

    void history(history_query q, history_callback done) override {
        if (failing) return complete(done, failed<history_result>());
        const int limit = std::clamp(q.limit, 1, limits::max_history_limit);
        std::vector<chat_message> in;
        for (const auto& r : messages_)
            if (r.message.channel == q.channel && !r.deleted) in.push_back(r.message);
        history_result out;
        out.outcome = store_outcome::ok;
        std::vector<chat_message> picked;
        if (q.direction == history_direction::after) {
            for (const auto& m : in)
                if (m.id > q.anchor) picked.push_back(m);
            out.has_more = static_cast<int>(picked.size()) > limit;
            if (out.has_more) picked.resize(static_cast<std::size_t>(limit));
        } else {
            for (const auto& m : in)
                if (q.direction == history_direction::latest || m.id < q.anchor) picked.push_back(m);
            out.has_more = static_cast<int>(picked.size()) > limit;
            if (out.has_more) picked.erase(picked.begin(), picked.end() - limit);
        }
        out.messages = std::move(picked);
        if (positions) out.position = position_;
        complete(done, std::move(out));
    }

    void change(message_change c, change_callback done) override {
        if (failing) return complete(done, failed<change_result>());
        change_result r;
        r.what = c.what;
        r.id = c.id;
        row* target = find(c.id);
        if (!target || target->deleted) {
            r.outcome = store_outcome::not_found;
            return complete(done, std::move(r));
        }
        r.channel = target->message.channel;
        if (!c.is_admin && (target->owner.empty() || target->owner != c.requester)) {
            r.outcome = store_outcome::forbidden;
            return complete(done, std::move(r));
        }
        r.outcome = store_outcome::ok;
        if (c.what == message_change::kind::edit) {
            target->message.text = c.text;
            target->message.edited_at = c.at;
            r.text = c.text;
            r.edited_at = c.at;
        } else {
            target->deleted = true;
            target->message.text.clear();
        }
        if (positions) r.position = ++position_;
        complete(done, std::move(r));
    }

    void channels(channels_callback done) override {
        if (failing) return complete(done, failed<channels_result>());
        std::set<std::string> names;
        for (const auto& r : messages_) names.insert(r.message.channel);
        channels_result out;
        out.outcome = store_outcome::ok;
        out.names.assign(names.begin(), names.end());
        complete(done, std::move(out));
    }

    void flush_and_stop() override {}

private:
    stream_position position_ = 0;
    struct row {
        chat_message message;
        std::string owner;
        bool deleted = false;
    };
    template <class R>
    static R failed() {
        R r;
        r.outcome = store_outcome::failed;
        r.error = "the test store fails";
        return r;
    }
    row* find(message_id id) {
        for (auto& r : messages_)
            if (r.message.id == id) return &r;
        return nullptr;
    }
    template <class Callback, class Result>
    void complete(Callback& done, Result r) {
        if (!holding_) return done(std::move(r));
        held_.push_back([done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    }

    std::vector<row> messages_;
    std::map<std::tuple<std::string, std::string, std::string>, message_id> nonces_;
    std::map<std::string, std::int64_t> seq_;
    message_id last_id_ = 0;
    int posts_ = 0;
    bool holding_ = false;
    std::deque<std::function<void()>> held_;
};

}  // namespace parley::server::test
