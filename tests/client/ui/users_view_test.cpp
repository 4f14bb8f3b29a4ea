#include "users_view.hpp"

#include <doctest/doctest.h>

using parley::client::channel_state;

TEST_CASE("the reader's own name is listed even when the server's list lacks it") {
    channel_state channel;
    channel.users = {"bob", "zed"};
    channel.online = 2;
    const auto users = parley::ui::displayed_users(channel, "ann");
    CHECK(users == std::vector<std::string>{"ann", "bob", "zed"});
    CHECK(parley::ui::displayed_online(channel, users) == 3);
}

TEST_CASE("an own name already listed (in any case) is not listed twice") {
    channel_state channel;
    channel.users = {"Ann", "bob"};
    channel.online = 2;
    const auto users = parley::ui::displayed_users(channel, "ann");
    CHECK(users.size() == 2);
    CHECK(parley::ui::displayed_online(channel, users) == 2);
}

TEST_CASE("a read-only reader adds no name") {
    channel_state channel;
    channel.users = {"bob"};
    channel.online = 1;
    CHECK(parley::ui::displayed_users(channel, "").size() == 1);
}
