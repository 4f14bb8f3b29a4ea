// Retention and the per-channel cap (issue 11, "Audit and retention") on every backend,
// driven step by step with an explicit "now"; and deletion erasing text.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "store_test_support.hpp"
#include "support/store_places.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

constexpr std::int64_t day_ms = 24LL * 60 * 60 * 1000;


/// Calls maintain() until it has nothing left (at most `max_steps`); returns the steps taken.
int maintain_until_done(batch_backend& b, unix_ms now, int max_steps = 100) {
    for (int steps = 1; steps <= max_steps; ++steps) {
        const auto step = b.maintain(now);
        INFO(step.error);
        REQUIRE(step.ok());
        if (!step.more) return steps;
    }
    FAIL("maintenance did not finish");
    return max_steps;
}

}  // namespace

TEST_CASE_TEMPLATE("retention deletes messages older than its age in steps of at most the batch size, nonces with them", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    upkeep_policy options;
    options.retention_ms = day_ms;
    options.prune_batch_rows = 3;
    auto b = place.open_backend(options);
    for (int i = 0; i < 7; ++i)
        post_one(*b, make_message(i % 2 ? "a" : "b", "old", "n" + std::to_string(i), "a:1", base_time + i));
    const auto young1 = post_one(*b, make_message("a", "young", "y1", "a:1", base_time + 2 * day_ms));
    const auto young2 = post_one(*b, make_message("a", "young", "y2", "a:1", base_time + 2 * day_ms + 1));
    const unix_ms now = base_time + 3 * day_ms - 10;  // the old ones are 3 days old, the young ones 1 day

    auto step = b->maintain(now);
    CHECK(step.ok());
    CHECK(step.pruned == 3);
    CHECK(step.more);
    step = b->maintain(now);
    CHECK(step.pruned == 3);
    CHECK(step.more);
    step = b->maintain(now);
    CHECK(step.pruned == 1);
    CHECK_FALSE(step.more);
    CHECK(b->maintain(now).pruned == 0);

    const auto a = b->history(history_query::latest("a", 50));
    CHECK(ids_of(a) == std::vector<message_id>{young1, young2});
    CHECK_FALSE(a.has_more);
    CHECK(b->history(history_query::latest("a", 1)).has_more);
    CHECK(b->history(history_query::latest("b", 50)).messages.empty());
    CHECK(b->history(history_query::before("a", young1, 50)).messages.empty());
    b.reset();
    // The nonces went with their rows; the young ones' are held.
    CHECK(place.query_int("SELECT count(*) FROM messages WHERE nonce IS NOT NULL") == 2);
}

TEST_CASE_TEMPLATE("retention of 0 and no cap keep every message", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto b = place.open_backend();
    for (int i = 0; i < 5; ++i) post_one(*b, make_message("a", "x", std::nullopt, "a:1", base_time));
    const auto step = b->maintain(base_time + 1000 * day_ms);
    CHECK(step.ok());
    CHECK(step.pruned == 0);
    CHECK_FALSE(step.more);
    CHECK_FALSE(b->wants_maintenance());
    CHECK(b->history(history_query::latest("a", 50)).messages.size() == 5);
}

TEST_CASE_TEMPLATE("the per-channel cap deletes the oldest rows beyond it, channel by channel, deleted rows counted", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    upkeep_policy options;
    options.max_messages_per_channel = 5;
    options.prune_batch_rows = 2;
    auto b = place.open_backend(options);
    std::vector<message_id> big;
    for (int i = 0; i < 9; ++i)
        big.push_back(post_one(*b, make_message("big", "m" + std::to_string(i), "n" + std::to_string(i))));
    std::vector<message_id> small;
    for (int i = 0; i < 3; ++i) small.push_back(post_one(*b, make_message("small", "s")));
    // A deleted row still takes a row: it counts against the cap.
    std::string error;
    REQUIRE(b->begin(error));
    REQUIRE(b->change(removal_of({big.back(), "a:ann", false})).outcome == store_outcome::ok);
    REQUIRE(b->commit(error));
    CHECK(b->wants_maintenance());

    const int steps = maintain_until_done(*b, base_time);
    CHECK(steps >= 2);  // 4 rows in steps of 2
    CHECK_FALSE(b->wants_maintenance());

    const auto h = b->history(history_query::latest("big", 50));
    CHECK(ids_of(h) == std::vector<message_id>(big.begin() + 4, big.end() - 1));
    CHECK_FALSE(h.has_more);
    CHECK(b->history(history_query::latest("big", 3)).has_more);
    CHECK(ids_of(b->history(history_query::latest("small", 50))) == small);

    // One more post goes over the cap again and is pruned again.
    post_one(*b, make_message("big", "one more"));
    CHECK(b->wants_maintenance());
    maintain_until_done(*b, base_time);
    CHECK(b->history(history_query::latest("big", 50)).messages.size() == 4);  // 5 rows, one deleted
    b.reset();
    CHECK(place.query_int("SELECT count(*) FROM messages WHERE channel = 'big'") == 5);
}

TEST_CASE_TEMPLATE("the per-channel cap applies to rows stored before the server started with it", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    {
        auto b = place.open_backend();
        for (int i = 0; i < 8; ++i) post_one(*b, make_message("a", "x"));
    }
    upkeep_policy options;
    options.max_messages_per_channel = 3;
    auto b = place.open_backend(options);
    CHECK(b->wants_maintenance());  // the count is not known yet
    maintain_until_done(*b, base_time);
    CHECK(b->history(history_query::latest("a", 50)).messages.size() == 3);
}

TEST_CASE_TEMPLATE("a resend of a pruned message's nonce is a new message, not a dangling duplicate", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    upkeep_policy options;
    options.max_messages_per_channel = 1;
    auto b = place.open_backend(options);
    const auto first = post_one(*b, make_message("a", "first", "k1"));
    post_one(*b, make_message("a", "second", "k2"));
    maintain_until_done(*b, base_time);
    std::string error;
    REQUIRE(b->begin(error));
    const auto again = b->post(make_message("a", "first", "k1"));
    REQUIRE(b->commit(error));
    CHECK(again.outcome == store_outcome::ok);
    CHECK(again.message.id != first);
}

TEST_CASE_TEMPLATE("the storage thread prunes a channel over its cap by itself, soon after the post", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    store_setup options;
    options.upkeep.max_messages_per_channel = 2;
    options.maintenance.pause = std::chrono::milliseconds(1);
    auto store = place.open(options);
    for (int i = 0; i < 6; ++i)
        REQUIRE(post_sync(*store, make_message("a", "x")).outcome == store_outcome::ok);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::size_t left = 0;
    do {
        left = history_sync(*store, history_query::latest("a", 50)).messages.size();
        if (left == 2) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } while (std::chrono::steady_clock::now() < deadline);
    CHECK(left == 2);
}

TEST_CASE_TEMPLATE("the storage thread's retention uses its injected clock", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    store_setup options;
    options.upkeep.retention_ms = day_ms;
    options.maintenance.pause = std::chrono::milliseconds(1);
    options.maintenance.interval = std::chrono::milliseconds(1);
    options.maintenance.clock = [] { return base_time + 10 * day_ms; };
    auto store = place.open(options);
    REQUIRE(post_sync(*store, make_message("a", "old")).outcome == store_outcome::ok);
    REQUIRE(
        post_sync(*store, make_message("a", "new", std::nullopt, "a:ann", base_time + 10 * day_ms)).outcome ==
        store_outcome::ok);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<std::string> texts;
    do {
        texts.clear();
        for (const auto& m : history_sync(*store, history_query::latest("a", 50)).messages) texts.push_back(m.text);
        if (texts.size() == 1) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } while (std::chrono::steady_clock::now() < deadline);
    CHECK(texts == std::vector<std::string>{"new"});
}

TEST_CASE_TEMPLATE("a deleted message keeps no text, and a resend of its nonce returns it empty and deleted", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    auto store = place.open();
    const auto first = post_sync(*store, make_message("fishing", "my secret", "k1", "g:session-1"));
    REQUIRE(first.outcome == store_outcome::ok);
    REQUIRE(edit_sync(*store, {first.message.id, "my edited secret", "g:session-1", false, base_time + 1})
                .outcome == store_outcome::ok);
    REQUIRE(remove_sync(*store, {first.message.id, "g:session-1", false}).outcome == store_outcome::ok);
    // The same scope (a guest's name) resends the nonce, e.g. a new guest who took the name.
    auto replay = make_message("fishing", "anything", "k1", "g:session-2");
    replay.resend_scope = "g:session-1";
    const auto again = post_sync(*store, replay);
    REQUIRE(again.outcome == store_outcome::duplicate);
    CHECK(again.deleted);
    CHECK(again.message.id == first.message.id);
    CHECK(again.message.text.empty());
    store.reset();
    CHECK(place.query_int("SELECT count(*) FROM messages WHERE body != ''") == 0);
}

TEST_CASE_TEMPLATE("a channel whose every message was pruned leaves the channel list, and comes back with a new post", place_type, STORE_PLACES) {
    place_type place;
    if (!place.available()) return;
    upkeep_policy options;
    options.retention_ms = day_ms;
    auto b = place.open_backend(options);
    post_one(*b, make_message("gone", "old", std::nullopt, "a:1", base_time));
    post_one(*b, make_message("kept", "old", std::nullopt, "a:1", base_time));
    post_one(*b, make_message("kept", "young", std::nullopt, "a:1", base_time + 2 * day_ms));
    maintain_until_done(*b, base_time + 2 * day_ms + 10);
    CHECK(b->channels().names == std::vector<std::string>{"kept"});
    post_one(*b, make_message("gone", "back again", std::nullopt, "a:1", base_time + 2 * day_ms + 20));
    CHECK(b->channels().names == std::vector<std::string>{"gone", "kept"});
}
