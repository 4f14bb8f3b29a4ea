// An acknowledged message survives kill -9 of the process that stored it.
#include "store/sqlite_store.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include "store_test_support.hpp"

namespace {

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

// The child: stores `posts` messages and writes each acknowledged id to `fd`, then waits
// to be killed. Never returns.
[[noreturn]] void store_until_killed(const std::filesystem::path& dir, int fd, int posts) {
    std::string error;
    auto store = open_sqlite_store(dir, sync_mode::normal, nullptr, error);
    if (!store) std::_Exit(2);
    for (int i = 0; i < posts; ++i) {
        store->post(make_message("fishing", std::to_string(i)), [fd](post_result r) {
            if (r.outcome != store_outcome::ok) std::_Exit(3);
            const message_id id = r.message.id;
            if (::write(fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id)) std::_Exit(4);
        });
    }
    for (;;) ::pause();
}

}  // namespace

TEST_CASE("every acknowledged message survives kill -9 of the storing process") {
    temp_dir dir;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    constexpr int posts = 5000;
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        store_until_killed(dir.path(), fds[1], posts);
    }
    ::close(fds[1]);

    // Kill it mid-stream: after the first acknowledgements, while later batches may still
    // be running.
    std::set<message_id> acknowledged;
    while (acknowledged.size() < 100) {
        message_id id = 0;
        REQUIRE(::read(fds[0], &id, sizeof id) == static_cast<ssize_t>(sizeof id));
        acknowledged.insert(id);
    }
    REQUIRE(::kill(child, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    // Acknowledgements already in the pipe count too.
    message_id id = 0;
    while (::read(fds[0], &id, sizeof id) == static_cast<ssize_t>(sizeof id)) acknowledged.insert(id);
    ::close(fds[0]);

    std::string error;
    auto store = open_sqlite_store(dir.path(), sync_mode::normal, nullptr, error);
    INFO(error);
    REQUIRE(store != nullptr);
    std::set<message_id> kept;
    message_id anchor = 0;
    for (;;) {
        const auto page = history_sync(*store, history_query::after("fishing", anchor, 200));
        REQUIRE(page.ok());
        for (const auto& m : page.messages) kept.insert(m.id);
        if (!page.has_more || page.messages.empty()) break;
        anchor = page.messages.back().id;
    }
    std::size_t lost = 0;
    for (const auto acked : acknowledged) lost += kept.count(acked) == 0 ? 1 : 0;
    CHECK(lost == 0);
}
