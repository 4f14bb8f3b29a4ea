#include "time_format.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

namespace {

/// Runs the test in UTC, whatever the machine's zone.
struct utc_zone {
    utc_zone() {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};

// 2022-05-19 22:02:36.123 UTC, a Thursday.
constexpr parley::unix_ms thursday = 1'652'997'756'123;
constexpr parley::unix_ms day = 86'400'000;

}  // namespace

TEST_CASE("a time today shows hours and minutes") {
    utc_zone zone;
    CHECK(parley::ui::format_message_time(thursday, thursday + 60'000) == "22:02");
}

TEST_CASE("a time this week shows the weekday, an older one the date") {
    utc_zone zone;
    CHECK(parley::ui::format_message_time(thursday, thursday + 2 * day) == "Thu 22:02");
    CHECK(parley::ui::format_message_time(thursday, thursday + 9 * day) == "2022-05-19 22:02");
}

TEST_CASE("a time after now (a skewed clock) shows the full date") {
    utc_zone zone;
    CHECK(parley::ui::format_message_time(thursday + 3 * day, thursday) == "2022-05-22 22:02");
}

TEST_CASE("the full time names day, date and seconds") {
    utc_zone zone;
    CHECK(parley::ui::format_full_time(thursday) == "Thu 19 May 2022, 22:02:36");
}
