// The protocol logic without sockets: a hub, a real SQLite store in a temp directory,
// and connections that record what they are sent.
#include "chat/hub.hpp"

#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <deque>
#include <thread>

#include "parley/core/codec.hpp"
#include "store/sqlite_store.hpp"
#include "support/test_server.hpp"

using namespace parley;
using namespace parley::server;
using namespace std::chrono_literals;

namespace {

/// A connection that records decoded frames and close codes.
class recording_connection final : public chat::connection {
public:
    explicit recording_connection(std::string id) : chat::connection(std::move(id)) {}

    chat::send_outcome enqueue(chat::shared_frame frame) override {
        auto decoded = decode_server_message(frame->payload());
        REQUIRE(decoded.ok());
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(decoded).value());
        return pending_.size() == 1 ? chat::send_outcome::flush_needed : chat::send_outcome::queued;
    }
    void flush() override {
        // Frames become visible only when flushed, as on a socket.
        std::lock_guard lock(mutex_);
        for (auto& m : pending_) frames_.push_back(std::move(m));
        pending_.clear();
        changed_.notify_all();
    }
    void close(std::uint16_t code, std::string_view) override {
        std::lock_guard lock(mutex_);
        close_code = code;
        changed_.notify_all();
    }
    bool charge_protocol_error() override {
        ++protocol_errors;
        return true;
    }

    /// Waits for the next frame of type T, dropping the frames before it.
    template <class T>
    std::optional<T> next(std::chrono::milliseconds timeout = 3s) {
        std::unique_lock lock(mutex_);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            while (!frames_.empty()) {
                auto m = std::move(frames_.front());
                frames_.pop_front();
                if (auto* t = std::get_if<T>(&m)) return *t;
            }
            if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && frames_.empty()) return std::nullopt;
        }
    }
    /// Waits `quiet` and returns every frame received meanwhile.
    std::vector<server_message> drain(std::chrono::milliseconds quiet = 150ms) {
        std::this_thread::sleep_for(quiet);
        std::lock_guard lock(mutex_);
        std::vector<server_message> out(std::make_move_iterator(frames_.begin()), std::make_move_iterator(frames_.end()));
        frames_.clear();
        return out;
    }

    std::atomic<int> protocol_errors{0};
    std::optional<std::uint16_t> close_code;

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<server_message> frames_;
    std::vector<server_message> pending_;  ///< enqueued, not yet flushed
};

/// A hub with a store and an event loop thread.
struct hub_fixture {
    test::temp_dir dir;
    server_metrics metrics;
    std::unique_ptr<message_store> store;
    local_bus bus;
    chat::open_directory names;
    boost::asio::io_context ioc;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
    std::unique_ptr<chat::hub> hub;
    std::thread loop;
    int next_id = 0;

    hub_fixture() {
        std::string error;
        store = open_sqlite_store(dir.path(), sync_mode::normal, &metrics, error);
        REQUIRE_MESSAGE(store, error);
        hub = std::make_unique<chat::hub>(ioc.get_executor(), *store, bus, names, metrics, chat::hub_options{});
        loop = std::thread([this] { ioc.run(); });
    }
    ~hub_fixture() {
        store->flush_and_stop();
        work.reset();
        ioc.stop();
        loop.join();
    }

    /// A connection opened on `channel` that has read its welcome frames.
    std::shared_ptr<recording_connection> open(const std::string& channel = "general",
                                               std::optional<message_id> since = std::nullopt) {
        auto c = std::make_shared<recording_connection>("session" + std::to_string(next_id++));
        hub->open(c, std::nullopt, channel, since);
        REQUIRE(c->next<connection_info>());
        REQUIRE(c->next<joined_notice>());
        REQUIRE(c->next<history_page>());
        return c;
    }
    void send(const std::shared_ptr<recording_connection>& c, client_message m,
              std::optional<std::string> nonce = std::nullopt) {
        hub->handle(c, client_frame{std::move(m), std::move(nonce)});
    }
    std::shared_ptr<recording_connection> named(const std::string& name, const std::string& channel = "general") {
        auto c = open(channel);
        send(c, identity_request{name});
        auto answer = c->next<identity_result>();
        REQUIRE(answer);
        REQUIRE(answer->success);
        return c;
    }
    chat_message post(const std::shared_ptr<recording_connection>& c, const std::string& text,
                      std::optional<std::string> channel = std::nullopt) {
        send(c, post_message{std::move(channel), text}, "n-" + text);
        auto echo = c->next<chat_message>();
        REQUIRE(echo);
        return *echo;
    }
};

template <class T>
int count_of(const std::vector<server_message>& frames) {
    int n = 0;
    for (const auto& f : frames) n += std::holds_alternative<T>(f);
    return n;
}

}  // namespace

TEST_CASE("hub: identity refuses invalid, taken (case-insensitively) and repeated names") {
    hub_fixture f;
    auto ann = f.named("Ann");
    auto other = f.open();
    f.send(other, identity_request{"has space"});
    CHECK(other->next<identity_result>()->reason == "invalid");
    f.send(other, identity_request{"aNN"});
    CHECK(other->next<identity_result>()->reason == "taken");
    f.send(ann, identity_request{"Ann2"});
    CHECK(ann->next<identity_result>()->reason == "already_identified");
    // The same name is free in a channel where nobody holds it.
    auto elsewhere = f.open("random");
    f.send(elsewhere, identity_request{"ann"});
    CHECK(elsewhere->next<identity_result>()->success);
}

TEST_CASE("hub: joining a channel where another connection holds the guest name is name_taken") {
    hub_fixture f;
    auto a = f.named("ann", "general");
    auto b = f.named("ann", "random");
    f.send(b, join_request{"general", std::nullopt}, "j1");
    auto e = b->next<error_notice>();
    REQUIRE(e);
    CHECK(e->code == error_code::name_taken);
    CHECK(e->ref == "j1");
}

TEST_CASE("hub: presence counts distinct names; an account on two connections is one") {
    hub_fixture f;
    auto bob = f.named("bob");
    auto acct1 = std::make_shared<recording_connection>("s-acct1");
    acct1->state().name = "carol";
    acct1->state().folded = "carol";
    acct1->state().account = "carol";
    acct1->mark_named();
    f.hub->open(acct1, "general", std::nullopt);
    auto hello = acct1->next<connection_info>();
    REQUIRE(hello);
    CHECK(hello->user == "carol");
    CHECK(hello->role == "user");
    auto joined = acct1->next<joined_notice>();
    REQUIRE(joined);
    CHECK(joined->users == std::vector<std::string>{"bob", "carol"});
    auto p = bob->next<presence_notice>();
    REQUIRE(p);
    CHECK(p->user == "carol");
    CHECK(p->state == presence_notice::change::joined);
    CHECK(p->online == 2);

    auto acct2 = std::make_shared<recording_connection>("s-acct2");
    acct2->state() = acct1->state();
    acct2->state().channels.clear();
    acct2->mark_named();
    f.hub->open(acct2, "general", std::nullopt);
    REQUIRE(acct2->next<joined_notice>());
    CHECK(count_of<presence_notice>(bob->drain()) == 0);  // same name: no new presence

    f.hub->closed(acct1);
    CHECK(count_of<presence_notice>(bob->drain()) == 0);  // carol is still online on acct2
    f.hub->closed(acct2);
    auto left = bob->next<presence_notice>();
    REQUIRE(left);
    CHECK(left->state == presence_notice::change::left);
    CHECK(left->online == 1);
}

TEST_CASE("hub: a message without channel goes to the only channel; none or several is an error") {
    hub_fixture f;
    auto ann = f.named("ann");
    CHECK(f.post(ann, "hello").channel == "general");
    f.send(ann, join_request{"random", std::nullopt});
    REQUIRE(ann->next<history_page>());
    f.send(ann, post_message{std::nullopt, "which?"}, "k");
    auto several = ann->next<error_notice>();
    REQUIRE(several);
    CHECK(several->code == error_code::invalid_message);
    CHECK(ann->protocol_errors == 1);  // invalid_message counts toward the budget
    f.send(ann, leave_request{"random"});
    f.send(ann, leave_request{"general"});
    REQUIRE(ann->next<left_notice>());
    f.send(ann, post_message{std::nullopt, "anyone?"});
    CHECK(ann->next<error_notice>()->code == error_code::not_in_channel);
    CHECK(ann->protocol_errors == 1);  // refusals never count
}

TEST_CASE("hub: posting before identity is not_identified with ref") {
    hub_fixture f;
    auto anon = f.open();
    f.send(anon, post_message{std::nullopt, "hi"}, "n1");
    auto e = anon->next<error_notice>();
    REQUIRE(e);
    CHECK(e->code == error_code::not_identified);
    CHECK(e->ref == "n1");
}

TEST_CASE("hub: typing goes to the others, not the sender, at most once per 2 s") {
    hub_fixture f;
    auto ann = f.named("ann");
    auto bob = f.named("bob");
    f.send(ann, typing_request{});
    auto t = bob->next<typing_notice>();
    REQUIRE(t);
    CHECK(t->user == "ann");
    f.send(ann, typing_request{});
    f.send(ann, typing_request{});
    CHECK(count_of<typing_notice>(bob->drain()) == 0);
    CHECK(count_of<typing_notice>(ann->drain()) == 0);
}

TEST_CASE("hub: a resend with the same nonce gets the stored message back alone, then deleted") {
    hub_fixture f;
    auto ann = f.named("ann");
    auto bob = f.named("bob");
    f.send(ann, post_message{std::nullopt, "once"}, "same");
    auto first = ann->next<chat_message>();
    REQUIRE(first);
    REQUIRE(bob->next<chat_message>());
    f.send(ann, post_message{std::nullopt, "once"}, "same");
    auto again = ann->next<chat_message>();
    REQUIRE(again);
    CHECK(again->id == first->id);
    CHECK(again->nonce == "same");
    CHECK(count_of<chat_message>(bob->drain()) == 0);

    f.send(ann, delete_request{first->id});
    REQUIRE(ann->next<deleted_notice>());
    REQUIRE(bob->next<deleted_notice>());
    f.send(ann, post_message{std::nullopt, "once"}, "same");
    REQUIRE(ann->next<chat_message>());
    auto gone = ann->next<deleted_notice>();
    REQUIRE(gone);
    CHECK(gone->id == first->id);
}

TEST_CASE("hub: only the posting connection edits a guest's message; edited reaches a requester who left") {
    hub_fixture f;
    auto ann = f.named("ann");
    auto bob = f.named("bob");
    auto m = f.post(ann, "draft");
    f.send(bob, edit_request{m.id, "hijack"}, "e1");
    CHECK(bob->next<error_notice>()->code == error_code::forbidden);
    f.send(ann, edit_request{999999, "nope"});
    CHECK(ann->next<error_notice>()->code == error_code::not_found);

    f.send(ann, leave_request{"general"});
    REQUIRE(ann->next<left_notice>());
    f.send(ann, edit_request{m.id, "final"});
    auto mine = ann->next<edited_notice>();
    REQUIRE(mine);
    CHECK(mine->text == "final");
    auto theirs = bob->next<edited_notice>();
    REQUIRE(theirs);
    CHECK(theirs->id == m.id);
    CHECK(theirs->edited_at > 0);
}

TEST_CASE("hub: a join while messages are being posted misses none and repeats none") {
    hub_fixture f;
    auto ann = f.named("ann");
    constexpr int total = 300;
    auto late = std::make_shared<recording_connection>("late");
    for (int i = 0; i < total; ++i) {
        f.send(ann, post_message{std::nullopt, "m" + std::to_string(i)});
        if (i == total / 2) f.hub->open(late, "general", message_id{0});
    }
    for (int i = 0; i < total; ++i) REQUIRE(ann->next<chat_message>());
    std::vector<message_id> seen;
    for (const auto& frame : late->drain(400ms)) {
        if (auto* h = std::get_if<history_page>(&frame))
            for (const auto& m : h->messages) seen.push_back(m.id);
        if (auto* m = std::get_if<chat_message>(&frame)) seen.push_back(m->id);
    }
    CAPTURE(seen.size());
    REQUIRE(seen.size() == total);
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] > seen[i - 1]);
}

TEST_CASE("hub: resume with since sends only the messages after it") {
    hub_fixture f;
    auto ann = f.named("ann");
    std::vector<message_id> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(f.post(ann, "r" + std::to_string(i)).id);
    auto again = std::make_shared<recording_connection>("again");
    f.hub->open(again, "general", ids[2]);
    auto page = again->next<history_page>();
    REQUIRE(page);
    REQUIRE(page->messages.size() == 2);
    CHECK(page->messages[0].id == ids[3]);
    CHECK(page->messages[1].id == ids[4]);
    CHECK_FALSE(page->has_more);
}

TEST_CASE("hub: admins kick; others are forbidden") {
    hub_fixture f;
    auto bob = f.named("bob");
    auto eve = f.named("eve");
    f.send(eve, kick_request{"general", "bob"}, "k");
    CHECK(eve->next<error_notice>()->code == error_code::forbidden);
    eve->state().admin = true;  // what a signed-in admin's connection carries
    f.send(eve, kick_request{"general", "bob"});
    auto kicked = bob->next<left_notice>();
    REQUIRE(kicked);
    CHECK(kicked->reason == "kicked");
    auto p = eve->next<presence_notice>();
    REQUIRE(p);
    CHECK(p->state == presence_notice::change::left);
}

TEST_CASE("hub: channels lists stored and live channels with online counts") {
    hub_fixture f;
    auto ann = f.named("ann", "fishing");
    f.post(ann, "x");
    auto bob = f.named("bob", "random");
    f.send(bob, channels_request{});
    auto list = bob->next<channel_list>();
    REQUIRE(list);
    REQUIRE(list->channels.size() == 2);
    CHECK(list->channels[0] == channel_summary{"fishing", 1});
    CHECK(list->channels[1] == channel_summary{"random", 1});
}

TEST_CASE("hub: the presence traffic of n joins into one channel stays linear in n; all see the final count") {
    hub_fixture f;
    constexpr int n = 400;
    const int names_up_to = chat::hub_options{}.presence_names_up_to;
    std::vector<std::shared_ptr<recording_connection>> members;
    for (int i = 0; i < n; ++i) members.push_back(f.named("user" + std::to_string(i), "big"));

    // Per name this would be n(n-1)/2 = 79,800 deliveries. With names only up to
    // presence_names_up_to and counts after, it is about names_up_to^2/2 plus a few rounds of n.
    long presence = 0, counts = 0;
    std::vector<int> last_count(n, 0);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (int i = 0; i < n; ++i) {
        // The first member waits for the final count; it reached the others in the same round.
        const auto quiet = i == 0 ? 20ms : 0ms;
        while (last_count[i] != n && std::chrono::steady_clock::now() < deadline) {
            for (const auto& frame : members[i]->drain(quiet)) {
                if (std::holds_alternative<presence_notice>(frame)) ++presence;
                if (const auto* o = std::get_if<online_notice>(&frame)) {
                    ++counts;
                    CHECK(o->channel == "big");
                    last_count[i] = o->online;
                }
            }
        }
        CHECK(last_count[i] == n);
    }
    MESSAGE("presence frames " << presence << ", online counts " << counts);
    CHECK(presence <= static_cast<long>(names_up_to) * names_up_to / 2);
    CHECK(presence + counts <= static_cast<long>(names_up_to) * names_up_to / 2 + 6L * n);

    // A newcomer reads the first names and the count, not a frame of every name.
    auto late = f.open("big");
    (void)late;
}

TEST_CASE("hub: joined in a big channel lists presence_names_up_to names and the online count") {
    hub_fixture f;
    const int names_up_to = chat::hub_options{}.presence_names_up_to;
    std::vector<std::shared_ptr<recording_connection>> members;
    for (int i = 0; i < names_up_to + 5; ++i) members.push_back(f.named("u" + std::to_string(1000 + i), "big"));
    auto c = std::make_shared<recording_connection>("late");
    f.hub->open(c, "big", std::nullopt);
    auto joined = c->next<joined_notice>();
    REQUIRE(joined);
    CHECK(joined->users.size() == static_cast<std::size_t>(names_up_to));
    CHECK(joined->online == names_up_to + 5);
    CHECK(std::is_sorted(joined->users.begin(), joined->users.end()));
    CHECK(joined->users.front() == "u1000");
}

TEST_CASE("hub: the channel list is paged by name and has_more says when more follow") {
    hub_fixture f;
    // Three connections (one may be in 100 channels) keep 250 channels alive.
    std::vector<std::shared_ptr<recording_connection>> holders;
    for (int i = 0; i < 250; ++i) {
        char name[8];
        std::snprintf(name, sizeof name, "c%03d", i);
        if (i % 100 == 0) {
            holders.push_back(f.open(name));
            continue;
        }
        f.send(holders.back(), join_request{name, std::nullopt});
        REQUIRE(holders.back()->next<joined_notice>());
    }
    auto ann = holders.front();
    std::vector<std::string> seen;
    channels_request request;
    for (int page = 0; page < 10; ++page) {
        f.send(ann, request);
        auto list = ann->next<channel_list>();
        REQUIRE(list);
        CHECK(list->channels.size() <= 100);
        for (const auto& ch : list->channels) seen.push_back(ch.name);
        if (!list->has_more) break;
        request.after = list->channels.back().name;
    }
    REQUIRE(seen.size() == 250);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
}
