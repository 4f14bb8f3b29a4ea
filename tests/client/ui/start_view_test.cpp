#include "start_view.hpp"

#include <doctest/doctest.h>

using parley::ui::check_start_form;
using parley::ui::start_form;

namespace {

start_form valid_form() {
    start_form form;
    form.server_url = "ws://127.0.0.1:8080";
    form.channel = "fishing";
    form.name = "ann";
    return form;
}

}  // namespace

TEST_CASE("a complete start form passes") {
    CHECK(check_start_form(valid_form(), true).empty());
}

TEST_CASE("the start form asks for a name before joining") {
    start_form form = valid_form();
    form.name.clear();
    CHECK(check_start_form(form, true) == "Choose a name to chat with.");
}

TEST_CASE("the start form refuses names and channels that break the protocol's rules") {
    start_form form = valid_form();
    form.name = "ann smith";
    CHECK_FALSE(check_start_form(form, true).empty());
    form = valid_form();
    form.channel = "Fishing";
    CHECK_FALSE(check_start_form(form, true).empty());
}

TEST_CASE("the server URL is checked only where the user can change it") {
    start_form form = valid_form();
    form.server_url = "http://example.org";
    CHECK_FALSE(check_start_form(form, true).empty());
    CHECK(check_start_form(form, false).empty());
}
