// The message store's behaviour, whatever the database: every case runs on SQLite and on
// PostgreSQL (support/store_places.hpp). What only one database has (files, WAL, schema
// versions) is tested in store_sqlite_test.cpp and store_postgres_test.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <future>
#include <string>
#include <vector>

#include "store_test_support.hpp"
#include "support/store_places.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

message_id post_ok(message_store& store, new_message m) {
    const auto r = post_sync(store, std::move(m));
    INFO(r.error);
    REQUIRE(r.outcome == store_outcome::ok);
    return r.message.id;
}

std::string joined(const std::vector<std::string>& rows) {
    std::string text;
    for (const auto& row : rows) text += (text.empty() ? "" : ",") + row;
    return text;
}

}  // namespace

TEST_CASE_TEMPLATE("a store assigns positive ids from one sequence across channels", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto a1 = post_ok(*store, make_message("fishing", "one"));
    const auto b1 = post_ok(*store, make_message("random", "two"));
    const auto a2 = post_ok(*store, make_message("fishing", "three"));
    CHECK(a1 > 0);
    CHECK(b1 > a1);
    CHECK(a2 > b1);
}

TEST_CASE_TEMPLATE("a store returns the stored message with the caller's fields and no nonce", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto r = post_sync(*store, make_message("fishing", "morning is best", "k1"));
    REQUIRE(r.outcome == store_outcome::ok);
    CHECK(r.message.channel == "fishing");
    CHECK(r.message.user == "ann");
    CHECK(r.message.text == "morning is best");
    CHECK(r.message.timestamp == base_time);
    CHECK_FALSE(r.message.nonce.has_value());
    CHECK_FALSE(r.message.edited_at.has_value());
}

TEST_CASE_TEMPLATE("a store keeps history across reopen and keeps ids increasing", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    std::vector<message_id> before_restart;
    {
        auto store = place.open();
        for (int i = 0; i < 3; ++i)
            before_restart.push_back(post_ok(*store, make_message("fishing", std::to_string(i))));
        store->flush_and_stop();
    }
    auto store = place.open();
    const auto h = history_sync(*store, history_query::latest("fishing", 50));
    REQUIRE(h.ok());
    CHECK(ids_of(h) == before_restart);
    CHECK(h.messages.at(2).text == "2");
    const auto next = post_ok(*store, make_message("random", "after restart"));
    CHECK(next > before_restart.back());
}

TEST_CASE_TEMPLATE("a store never reuses the id of the newest message after it was deleted", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    message_id newest = 0;
    {
        auto store = place.open();
        newest = post_ok(*store, make_message("fishing", "gone soon"));
        REQUIRE(remove_sync(*store, {newest, "a:ann", false}).outcome == store_outcome::ok);
    }
    auto store = place.open();
    CHECK(post_ok(*store, make_message("fishing", "next")) > newest);
}

TEST_CASE_TEMPLATE("history latest returns the newest messages oldest first, with has_more", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    std::vector<message_id> ids;
    for (int i = 0; i < 5; ++i) {
        ids.push_back(post_ok(*store, make_message("fishing", std::to_string(i))));
        post_ok(*store, make_message("random", "noise"));  // another channel, interleaved
    }

    auto h = history_sync(*store, history_query::latest("fishing", 3));
    REQUIRE(h.ok());
    CHECK(ids_of(h) == std::vector<message_id>{ids[2], ids[3], ids[4]});
    CHECK(h.has_more);
    for (const auto& m : h.messages) CHECK(m.channel == "fishing");

    h = history_sync(*store, history_query::latest("fishing", 5));
    CHECK(ids_of(h) == ids);
    CHECK_FALSE(h.has_more);

    h = history_sync(*store, history_query::latest("fishing", 50));
    CHECK(ids_of(h) == ids);
    CHECK_FALSE(h.has_more);

    h = history_sync(*store, history_query::latest("empty", 50));
    REQUIRE(h.ok());
    CHECK(h.messages.empty());
    CHECK_FALSE(h.has_more);
}

TEST_CASE_TEMPLATE("history before pages backwards and says when the start is reached", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    std::vector<message_id> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(post_ok(*store, make_message("fishing", "m")));

    auto h = history_sync(*store, history_query::before("fishing", ids[3], 2));
    REQUIRE(h.ok());
    CHECK(ids_of(h) == std::vector<message_id>{ids[1], ids[2]});
    CHECK(h.has_more);

    h = history_sync(*store, history_query::before("fishing", ids[2], 2));
    CHECK(ids_of(h) == std::vector<message_id>{ids[0], ids[1]});
    CHECK_FALSE(h.has_more);

    h = history_sync(*store, history_query::before("fishing", ids[0], 2));
    REQUIRE(h.ok());
    CHECK(h.messages.empty());
    CHECK_FALSE(h.has_more);
}

TEST_CASE_TEMPLATE("history after pages forwards and after 0 starts at the first message", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    std::vector<message_id> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(post_ok(*store, make_message("fishing", "m")));

    auto h = history_sync(*store, history_query::after("fishing", 0, 2));
    REQUIRE(h.ok());
    CHECK(ids_of(h) == std::vector<message_id>{ids[0], ids[1]});
    CHECK(h.has_more);

    h = history_sync(*store, history_query::after("fishing", ids[2], 2));
    CHECK(ids_of(h) == std::vector<message_id>{ids[3], ids[4]});
    CHECK_FALSE(h.has_more);

    h = history_sync(*store, history_query::after("fishing", ids[4], 2));
    REQUIRE(h.ok());
    CHECK(h.messages.empty());
    CHECK_FALSE(h.has_more);
}

TEST_CASE_TEMPLATE("history clamps its limit to 1..200", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    for (int i = 0; i < 205; ++i) store->post(make_message("fishing", "m"), nullptr);
    post_ok(*store, make_message("fishing", "last"));  // completes after the 205 before it

    auto h = history_sync(*store, history_query::latest("fishing", 0));
    REQUIRE(h.ok());
    CHECK(h.messages.size() == 1);
    CHECK(h.has_more);

    h = history_sync(*store, history_query::latest("fishing", 1000));
    CHECK(h.messages.size() == 200);
    CHECK(h.has_more);
}

TEST_CASE_TEMPLATE("history leaves deleted messages out and shows edited ones with text and edited_at", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto a = post_ok(*store, make_message("fishing", "first"));
    const auto b = post_ok(*store, make_message("fishing", "second"));
    const auto c = post_ok(*store, make_message("fishing", "third"));

    REQUIRE(remove_sync(*store, {b, "a:ann", false}).outcome == store_outcome::ok);
    const auto e = edit_sync(*store, {c, "third, edited", "a:ann", false, base_time + 5000});
    REQUIRE(e.outcome == store_outcome::ok);
    CHECK(e.id == c);
    CHECK(e.channel == "fishing");
    CHECK(e.text == "third, edited");
    CHECK(e.edited_at == base_time + 5000);

    for (const auto& q : {history_query::latest("fishing", 50), history_query::after("fishing", 0, 50),
                          history_query::before("fishing", c + 1, 50)}) {
        const auto h = history_sync(*store, q);
        REQUIRE(h.ok());
        CHECK(ids_of(h) == std::vector<message_id>{a, c});
        CHECK(h.messages.at(1).text == "third, edited");
        CHECK(h.messages.at(1).edited_at == base_time + 5000);
        CHECK_FALSE(h.messages.at(0).edited_at.has_value());
    }
}

TEST_CASE_TEMPLATE("a resend with the same nonce returns the earlier message and stores nothing new", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto first = post_sync(*store, make_message("fishing", "hello", "k1"));
    REQUIRE(first.outcome == store_outcome::ok);

    auto resend = make_message("fishing", "hello", "k1");
    resend.timestamp = base_time + 60'000;
    const auto again = post_sync(*store, resend);
    REQUIRE(again.outcome == store_outcome::duplicate);
    CHECK(again.message == first.message);
    CHECK_FALSE(again.deleted);

    const auto h = history_sync(*store, history_query::latest("fishing", 50));
    CHECK(ids_of(h) == std::vector<message_id>{first.message.id});
}

TEST_CASE_TEMPLATE("a resend of an edited message returns its current text", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto first = post_sync(*store, make_message("fishing", "hello", "k1"));
    REQUIRE(edit_sync(*store, {first.message.id, "hello!", "a:ann", false, base_time + 1}).outcome ==
            store_outcome::ok);
    const auto again = post_sync(*store, make_message("fishing", "hello", "k1"));
    REQUIRE(again.outcome == store_outcome::duplicate);
    CHECK(again.message.text == "hello!");
    CHECK(again.message.edited_at == base_time + 1);
}

TEST_CASE_TEMPLATE("the same nonce from another scope or in another channel is a new message", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto first = post_sync(*store, make_message("fishing", "hello", "k1", "a:ann"));
    REQUIRE(first.outcome == store_outcome::ok);

    const auto other_scope = post_sync(*store, make_message("fishing", "hello", "k1", "g:bob"));
    CHECK(other_scope.outcome == store_outcome::ok);
    CHECK(other_scope.message.id != first.message.id);

    const auto other_channel = post_sync(*store, make_message("random", "hello", "k1", "a:ann"));
    CHECK(other_channel.outcome == store_outcome::ok);

    const auto no_nonce = post_sync(*store, make_message("fishing", "hello"));
    CHECK(no_nonce.outcome == store_outcome::ok);

    CHECK(history_sync(*store, history_query::latest("fishing", 50)).messages.size() == 3);
}

TEST_CASE_TEMPLATE("a resend of a deleted message is a duplicate reported as deleted", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto first = post_sync(*store, make_message("fishing", "oops", "k1"));
    REQUIRE(remove_sync(*store, {first.message.id, "a:ann", false}).outcome == store_outcome::ok);
    const auto again = post_sync(*store, make_message("fishing", "oops", "k1"));
    REQUIRE(again.outcome == store_outcome::duplicate);
    CHECK(again.message.id == first.message.id);
    CHECK(again.deleted);
}

TEST_CASE_TEMPLATE("a nonce is recognised for 24 hours and not after", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto first = post_sync(*store, make_message("fishing", "hi", "k1"));
    const unix_ms day = limits::nonce_memory_ms;

    auto within = make_message("fishing", "hi", "k1");
    within.timestamp = base_time + day;
    CHECK(post_sync(*store, within).outcome == store_outcome::duplicate);

    auto later = make_message("fishing", "hi", "k1");
    later.timestamp = base_time + day + 1;
    const auto r = post_sync(*store, later);
    CHECK(r.outcome == store_outcome::ok);
    CHECK(r.message.id > first.message.id);

    // The new post took over the nonce.
    auto resend = make_message("fishing", "hi", "k1");
    resend.timestamp = base_time + day + 2;
    const auto again = post_sync(*store, resend);
    REQUIRE(again.outcome == store_outcome::duplicate);
    CHECK(again.message.id == r.message.id);
}

TEST_CASE_TEMPLATE("a nonce is recognised after reopening the store", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    message_id id = 0;
    {
        auto store = place.open();
        id = post_sync(*store, make_message("fishing", "hi", "k1")).message.id;
    }
    auto store = place.open();
    const auto again = post_sync(*store, make_message("fishing", "hi", "k1"));
    CHECK(again.outcome == store_outcome::duplicate);
    CHECK(again.message.id == id);
}

/// The nonces the messages hold, in id order.
constexpr const char* nonces_held = "SELECT nonce FROM messages WHERE nonce IS NOT NULL ORDER BY id";

TEST_CASE_TEMPLATE("the upkeep clears nonces 24 hours older than the newest post, in steps, and goes on after a reopen", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    const unix_ms day = limits::nonce_memory_ms;
    upkeep_policy options;
    options.prune_batch_rows = 2;
    std::vector<message_id> old;
    {
        auto b = place.open_backend(options);
        for (int i = 0; i < 3; ++i)
            old.push_back(post_one(*b, make_message("fishing", "old", "o" + std::to_string(i), "a:ann", base_time + i)));
        // A day after the third: the first two have expired, in one full step.
        post_one(*b, make_message("fishing", "new", "k2", "a:ann", base_time + day + 2));
        auto step = b->maintain(base_time);  // the nonce clock is the posts', not this one
        CHECK(step.ok());
        CHECK(step.more);
        CHECK(joined(place.query(nonces_held)) == "o2,k2");
        CHECK(place.query_int("SELECT value FROM store_state WHERE key = 'nonces_cleared_below'") ==
              old[1] + 1);
        CHECK_FALSE(b->maintain(base_time).more);  // nothing more has expired
        CHECK(joined(place.query(nonces_held)) == "o2,k2");
    }
    // Reopened, the clock is the newest row's and the walk goes on from where it stopped.
    auto b = place.open_backend(options);
    post_one(*b, make_message("fishing", "newer", "k3", "a:ann", base_time + day + 3));
    CHECK(b->maintain(base_time).more);  // cleared one: the next step looks for more
    CHECK_FALSE(b->maintain(base_time).more);
    CHECK(joined(place.query(nonces_held)) == "k2,k3");
    CHECK(place.query_int("SELECT count(*) FROM messages") == 5);  // the messages stay
    // A cleared nonce is a new message; a held one is still a resend.
    std::string error;
    REQUIRE(b->begin(error));
    CHECK(b->post(make_message("fishing", "old", "o0", "a:ann", base_time + day + 4)).outcome == store_outcome::ok);
    CHECK(b->post(make_message("fishing", "new", "k2", "a:ann", base_time + day + 4)).outcome ==
          store_outcome::duplicate);
    REQUIRE(b->commit(error));
}

TEST_CASE_TEMPLATE("a resend of an expired nonce before the upkeep cleared it takes the nonce over", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    const unix_ms day = limits::nonce_memory_ms;
    auto b = place.open_backend();
    const auto first = post_one(*b, make_message("fishing", "hi", "k1"));
    const auto second = post_one(*b, make_message("fishing", "hi", "k1", "a:ann", base_time + day + 1));
    CHECK(second > first);
    // One row holds the nonce (the unique index allows no other), and it is the new one.
    CHECK(place.query("SELECT id FROM messages WHERE nonce = 'k1'") == std::vector<std::string>{std::to_string(second)});
}

TEST_CASE_TEMPLATE("posts sent together answer as if posted one by one, and their events follow their ids", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    const unix_ms day = limits::nonce_memory_ms;
    const unix_ms later = base_time + day + 1;
    auto b = place.open_backend();
    const auto old = post_one(*b, make_message("fishing", "old", "k-old"));
    const std::vector<new_message> messages = {
        make_message("fishing", "one", "k1", "a:ann", later),
        make_message("fishing", "takes over", "k-old", "a:ann", later),  // expired: posted anew
        make_message("fishing", "two", std::nullopt, "a:ann", later),
        make_message("fishing", "one", "k1", "a:ann", later),        // resent in the same batch
        make_message("boats", "elsewhere", std::nullopt, "a:ann", later),
        make_message("fishing", "takes over", "k-old", "a:ann", later),  // and that one resent
    };
    std::vector<const new_message*> batch;
    for (const auto& m : messages) batch.push_back(&m);
    std::string error;
    REQUIRE(b->begin(error));
    const auto results = b->post_all(batch);
    REQUIRE(b->commit(error));

    REQUIRE(results.size() == messages.size());
    for (const auto& r : results) {
        INFO(r.error);
        REQUIRE_FALSE(r.failed());
    }
    CHECK(results[0].ok());
    CHECK(results[1].ok());
    CHECK(results[1].message.id > old);
    CHECK(results[2].ok());
    CHECK(results[3].outcome == store_outcome::duplicate);
    CHECK(results[3].message.id == results[0].message.id);
    CHECK(results[4].ok());
    CHECK(results[5].outcome == store_outcome::duplicate);
    CHECK(results[5].message.id == results[1].message.id);
    CHECK(results[5].message.text == "takes over");

    // The new messages, in id order, took the next stream positions densely (a database
    // shared by several servers keeps an event stream; the embedded one has none), and
    // each channel's positions rise with its ids: what a reader of the stream relies on.
    std::vector<post_result> stored;
    for (const auto& r : results)
        if (r.ok()) stored.push_back(r);
    std::sort(stored.begin(), stored.end(), [](const auto& x, const auto& y) { return x.message.id < y.message.id; });
    REQUIRE(stored.size() == 4);
    const bool has_stream = std::string_view(place_type::name) == "postgres";
    for (std::size_t i = 0; i < stored.size(); ++i)
        CHECK(stored[i].position == (has_stream ? stored[0].position + static_cast<stream_position>(i) : 0));
    if (has_stream) CHECK(stored[0].position + b->committed_base() == 2);  // after the old message's
    std::int64_t fishing_seq = 1;  // the old message had the first
    for (const auto& r : stored)
        if (r.message.channel == "fishing") CHECK(r.message.seq == ++fishing_seq);
    CHECK(place.query("SELECT id FROM messages WHERE nonce = 'k-old'") ==
          std::vector<std::string>{std::to_string(results[1].message.id)});
}

TEST_CASE_TEMPLATE("edit and delete by someone else are forbidden, by an admin allowed", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto guest = post_ok(*store, make_message("fishing", "guest text", std::nullopt, "g:session-1"));

    // A later connection with the same guest name is someone else.
    CHECK(edit_sync(*store, {guest, "x", "g:session-2", false, base_time}).outcome ==
          store_outcome::forbidden);
    CHECK(remove_sync(*store, {guest, "a:bob", false}).outcome == store_outcome::forbidden);
    CHECK(history_sync(*store, history_query::latest("fishing", 50)).messages.at(0).text == "guest text");

    CHECK(edit_sync(*store, {guest, "own edit", "g:session-1", false, base_time}).outcome ==
          store_outcome::ok);
    const auto by_admin = edit_sync(*store, {guest, "admin edit", "a:root", true, base_time + 1});
    CHECK(by_admin.outcome == store_outcome::ok);
    const auto removed = remove_sync(*store, {guest, "a:root", true});
    REQUIRE(removed.outcome == store_outcome::ok);
    CHECK(removed.id == guest);
    CHECK(removed.channel == "fishing");
    CHECK(history_sync(*store, history_query::latest("fishing", 50)).messages.empty());
}

TEST_CASE_TEMPLATE("edit and delete of an unknown or deleted id are not found", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    CHECK(edit_sync(*store, {12345, "x", "a:ann", true, base_time}).outcome == store_outcome::not_found);
    CHECK(remove_sync(*store, {12345, "a:ann", true}).outcome == store_outcome::not_found);

    const auto id = post_ok(*store, make_message("fishing", "soon gone"));
    REQUIRE(remove_sync(*store, {id, "a:ann", false}).outcome == store_outcome::ok);
    CHECK(edit_sync(*store, {id, "x", "a:ann", false, base_time}).outcome == store_outcome::not_found);
    CHECK(remove_sync(*store, {id, "a:ann", false}).outcome == store_outcome::not_found);
    CHECK(remove_sync(*store, {id, "a:root", true}).outcome == store_outcome::not_found);
}

TEST_CASE_TEMPLATE("channels lists the channels that have messages, sorted, across reopen", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    {
        auto store = place.open();
        auto c = channels_sync(*store);
        REQUIRE(c.ok());
        CHECK(c.names.empty());
        post_ok(*store, make_message("random", "a"));
        post_ok(*store, make_message("fishing", "b"));
        post_ok(*store, make_message("random", "c"));
        c = channels_sync(*store);
        CHECK(c.names == std::vector<std::string>{"fishing", "random"});
    }
    auto store = place.open();
    CHECK(channels_sync(*store).names == std::vector<std::string>{"fishing", "random"});
}

TEST_CASE_TEMPLATE("a read sees the writes enqueued before it in the same batch", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    std::future<history_result> page;
    std::future<channels_result> names;
    {
        storage_blocker hold(*store);
        store->post(make_message("fishing", "just queued"), nullptr);
        auto p = std::make_shared<std::promise<history_result>>();
        page = p->get_future();
        store->history(history_query::latest("fishing", 50),
                       [p](history_result r) { p->set_value(std::move(r)); });
        auto c = std::make_shared<std::promise<channels_result>>();
        names = c->get_future();
        store->channels([c](channels_result r) { c->set_value(std::move(r)); });
    }
    const auto h = page.get();
    REQUIRE(h.ok());
    REQUIRE(h.messages.size() == 1);
    CHECK(h.messages[0].text == "just queued");
    CHECK(names.get().names == std::vector<std::string>{"fishing"});
}

