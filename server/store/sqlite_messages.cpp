// sqlite_backend's message operations: post (with its stream position), change, history.
#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "parley/core/limits.hpp"
#include "store/sqlite_backend.hpp"

namespace parley::server {

sqlite_backend::lookup sqlite_backend::find_message(message_id id, stored_message& out) {
    sqlite::reset_on_exit guard(find_message_);
    find_message_.bind(1, id);
    const int rc = find_message_.step();
    if (rc == SQLITE_DONE) return lookup::missing;
    if (rc != SQLITE_ROW) return lookup::failed;
    out.message.id = id;
    out.message.channel = find_message_.column_text(0);
    out.message.user = find_message_.column_text(1);
    out.message.text = find_message_.column_text(2);
    out.message.timestamp = find_message_.column_int64(3);
    out.message.edited_at = find_message_.column_optional_int64(4);
    out.owner = find_message_.column_text(5);
    out.deleted = find_message_.column_int64(6) != 0;
    out.message.seq = find_message_.column_int64(7);
    return lookup::found;
}

std::optional<std::int64_t> sqlite_backend::next_seq(const std::string& channel) {
    if (auto it = last_seq_.find(channel); it != last_seq_.end()) return it->second + 1;
    sqlite::reset_on_exit guard(last_seq_of_);
    last_seq_of_.bind(1, channel);
    if (last_seq_of_.step() != SQLITE_ROW) return std::nullopt;
    return last_seq_of_.column_int64(0) + 1;
}

post_result sqlite_backend::post(const new_message& message) {
    newest_timestamp_ = std::max(newest_timestamp_, message.timestamp);
    if (message.nonce) {
        std::optional<message_id> earlier_id;
        std::optional<message_id> expired_id;
        {
            sqlite::reset_on_exit guard(find_nonce_);
            find_nonce_.bind(1, message.resend_scope);
            find_nonce_.bind(2, message.channel);
            find_nonce_.bind(3, *message.nonce);
            const int rc = find_nonce_.step();
            if (rc == SQLITE_ROW) {
                // A nonce past its 24 h is forgotten even before the upkeep clears it.
                if (find_nonce_.column_int64(1) >= message.timestamp - limits::nonce_memory_ms)
                    earlier_id = find_nonce_.column_int64(0);
                else
                    expired_id = find_nonce_.column_int64(0);
            } else if (rc != SQLITE_DONE) {
                return failed_result<post_result>(failure("looking up a nonce"));
            }
        }
        if (expired_id) {
            // The unique index holds one message per nonce: the old one lets go of it.
            sqlite::reset_on_exit guard(forget_nonce_);
            forget_nonce_.bind(1, *expired_id);
            if (!forget_nonce_.run()) return failed_result<post_result>(failure("forgetting an expired nonce"));
        }
        if (earlier_id) {
            stored_message earlier;
            switch (find_message(*earlier_id, earlier)) {
                case lookup::failed:
                    return failed_result<post_result>(failure("reading a message"));
                case lookup::found: {
                    post_result r;
                    r.outcome = store_outcome::duplicate;
                    r.message = std::move(earlier.message);
                    r.deleted = earlier.deleted;
                    return r;
                }
                case lookup::missing:
                    break;  // cannot happen (the nonce is in the row it names); store anew
            }
        }
    }

    // Positions are handed out in commit order: posts run in queue order inside the batch.
    const auto seq = next_seq(message.channel);
    if (!seq) return failed_result<post_result>(failure("reading a channel's stream position"));
    {
        sqlite::reset_on_exit guard(insert_message_);
        insert_message_.bind(1, message.channel);
        insert_message_.bind(2, message.user);
        insert_message_.bind(3, message.text);
        insert_message_.bind(4, message.timestamp);
        insert_message_.bind(5, message.owner);
        insert_message_.bind(6, *seq);
        if (message.nonce) {
            insert_message_.bind(7, message.resend_scope);
            insert_message_.bind(8, *message.nonce);
        } else {
            insert_message_.bind_null(7);
            insert_message_.bind_null(8);
        }
        if (!insert_message_.run()) return failed_result<post_result>(failure("storing a message"));
    }
    // Noted now and undone by rollback(): a failure later in the batch rolls this row back.
    last_seq_[message.channel] = *seq;
    posted_in_batch_.push_back(message.channel);
    const message_id id = db_->last_insert_id();

    if (!known_channels_.contains(message.channel)) {
        sqlite::reset_on_exit guard(insert_channel_);
        insert_channel_.bind(1, message.channel);
        if (!insert_channel_.run()) return failed_result<post_result>(failure("storing a channel"));
        known_channels_.insert(message.channel);
        channels_added_in_batch_.push_back(message.channel);
    }

    count_post(message.channel);

    post_result r;
    r.outcome = store_outcome::ok;
    r.message.id = id;
    r.message.channel = message.channel;
    r.message.user = message.user;
    r.message.text = message.text;
    r.message.timestamp = message.timestamp;
    r.message.seq = *seq;
    return r;
}

change_result sqlite_backend::change(const message_change& request) {
    const bool edit = request.what == message_change::kind::edit;
    stored_message target;
    const lookup found = find_message(request.id, target);
    if (found == lookup::failed) return failed_result<change_result>(failure("reading a message"));
    if (auto refused = refused_change(request, found == lookup::found, target.deleted, target.owner,
                                      target.message.channel))
        return std::move(*refused);
    sqlite::statement& write = edit ? update_text_ : mark_deleted_;
    sqlite::reset_on_exit guard(write);
    write.bind(1, request.id);
    if (edit) {
        write.bind(2, request.text);
        write.bind(3, request.at);
    }
    if (!write.run())
        return failed_result<change_result>(failure(edit ? "editing a message" : "deleting a message"));
    return applied_change(request, std::move(target.message.channel));
}

history_result sqlite_backend::history(const history_query& query) {
    const int limit = std::clamp(query.limit, 1, limits::max_history_limit);
    sqlite::statement& s = query.direction == history_direction::latest   ? latest_
                           : query.direction == history_direction::before ? before_
                                                                          : after_;
    sqlite::reset_on_exit guard(s);
    s.bind(1, query.channel);
    if (query.direction == history_direction::latest) {
        s.bind(2, std::int64_t{limit} + 1);
    } else {
        s.bind(2, query.anchor);
        s.bind(3, std::int64_t{limit} + 1);
    }

    history_result r;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        chat_message m;
        m.id = s.column_int64(0);
        m.channel = query.channel;
        m.user = s.column_text(1);
        m.text = s.column_text(2);
        m.timestamp = s.column_int64(3);
        m.edited_at = s.column_optional_int64(4);
        m.seq = s.column_int64(5);
        r.messages.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) return failed_result<history_result>(failure("reading history"));

    // The extra row is the last one walked (the oldest going back, the newest going on).
    r.has_more = r.messages.size() > static_cast<std::size_t>(limit);
    if (r.has_more) r.messages.pop_back();
    if (query.direction != history_direction::after) std::reverse(r.messages.begin(), r.messages.end());
    r.outcome = store_outcome::ok;
    return r;
}

}  // namespace parley::server
