#include "connection_status.hpp"

#include <doctest/doctest.h>

#include "support/model_harness.hpp"

using parley::client::test::harness;
using parley::ui::connection_status;
using parley::ui::describe_connection;

TEST_CASE("status reads offline before the model starts") {
    harness h;
    const connection_status status = describe_connection(h.model, h.now);
    CHECK(status.text == "Offline");
    CHECK(status.tone == connection_status::level::bad);
}

TEST_CASE("status names the user once connected") {
    harness h;
    h.connect_ready();
    const connection_status status = describe_connection(h.model, h.now);
    CHECK(status.text == "Connected as ann");
    CHECK(status.tone == connection_status::level::ok);
}

TEST_CASE("status counts down the seconds to the next reconnect") {
    harness h;
    h.connect_ready();
    h.drop();
    REQUIRE(h.model.state() == parley::client::connection_state::reconnecting);
    REQUIRE(h.model.reconnect_at());
    const auto at = *h.model.reconnect_at();
    const connection_status status = describe_connection(h.model, at - 1500);
    CHECK(status.text.rfind("Reconnecting in 2 s", 0) == 0);
    CHECK(status.tone == connection_status::level::bad);
}

TEST_CASE("countdown seconds round up and never go negative") {
    CHECK(parley::ui::seconds_until(10'001, 10'000) == 1);
    CHECK(parley::ui::seconds_until(12'000, 10'000) == 2);
    CHECK(parley::ui::seconds_until(9'000, 10'000) == 0);
}
