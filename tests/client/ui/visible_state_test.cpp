#include "visible_state.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/model_harness.hpp"

using parley::client::test::harness;
using parley::ui::drawn_message;
using parley::ui::ui_state;

TEST_CASE("the start screen's snapshot carries the form, not a model") {
    ui_state ui;
    ui.start.name = "ann";
    const auto state = nlohmann::json::parse(parley::ui::visible_state_json(ui, nullptr, {}));
    CHECK(state["screen"] == "start");
    CHECK(state["start"]["name"] == "ann");
    CHECK_FALSE(state.contains("messages"));
}

TEST_CASE("the chat snapshot lists what the views drew, in order, with Greek and Cyrillic intact") {
    harness h;
    h.connect_ready();
    ui_state ui;
    ui.current = ui_state::screen::chat;
    ui.drawn_status = "Connected as ann";
    drawn_message first;
    first.id = 7;
    first.user = "bob";
    first.text = "\xCE\x93\xCE\xB5\xCE\xB9\xCE\xAC \xD0\x9F\xD1\x80\xD0\xB8";  // Γειά При
    drawn_message second;
    second.user = "ann";
    second.text = "on its way";
    second.pending = true;
    second.mine = true;
    ui.drawn = {first, second};
    ui.composer.text = "draft";
    const auto state = nlohmann::json::parse(parley::ui::visible_state_json(ui, &h.model, {3, 1.5, 40.0}));
    CHECK(state["screen"] == "chat");
    CHECK(state["status"] == "Connected as ann");
    CHECK(state["user"] == "ann");
    CHECK(state["channel"] == "general");
    REQUIRE(state["messages"].size() == 2);
    CHECK(state["messages"][0]["text"] == first.text);
    CHECK(state["messages"][0]["id"] == 7);
    CHECK(state["messages"][1]["pending"] == true);
    CHECK_FALSE(state["messages"][1].contains("id"));
    CHECK(state["input"] == "draft");
    CHECK(state["frames"] == 3);
}

TEST_CASE("the snapshot names the drawn targets with their rectangles") {
    ui_state ui;
    ui.targets.push_back({"sign_in", 10.4f, 20.6f, 100.0f, 24.0f});
    const auto state = nlohmann::json::parse(parley::ui::visible_state_json(ui, nullptr, {}));
    REQUIRE(state["targets"].contains("sign_in"));
    CHECK(state["targets"]["sign_in"] == nlohmann::json::array({10, 21, 100, 24}));
}

TEST_CASE("the chat snapshot carries the model's errors, and the audit log for admins only") {
    harness h;
    h.connect_ready();
    h.server(parley::left_notice{"general", std::string("kicked")});
    ui_state ui;
    ui.current = ui_state::screen::chat;
    ui.admin.audit = {{1, 10, "root", "kick", "ann", "general", "", ""}};
    auto state = nlohmann::json::parse(parley::ui::visible_state_json(ui, &h.model, {}));
    REQUIRE(state["errors"].size() >= 1);
    CHECK(state["errors"].back()["source"] == "server");
    CHECK(state["errors"].back()["text"].get<std::string>().find("removed from #general") !=
          std::string::npos);
    CHECK_FALSE(state.contains("admin"));  // ann is no admin: nothing of the log leaks out
}

TEST_CASE("a channel whose join was refused says why in the snapshot") {
    harness h;
    h.connect_ready();
    h.take_sent();
    REQUIRE(h.model.join_channel("random", h.now));
    const auto joins = h.sent_of<parley::join_request>();
    REQUIRE(joins.size() == 1);
    h.server(parley::error_notice{parley::error_code::name_taken,
                                  "another connection in #random holds the name ann", joins[0].second});
    ui_state ui;
    ui.current = ui_state::screen::chat;
    const auto state = nlohmann::json::parse(parley::ui::visible_state_json(ui, &h.model, {}));
    REQUIRE(state["channels"].size() == 2);
    CHECK_FALSE(state["channels"][0].contains("join_failure"));
    CHECK(state["channels"][1]["joined"] == false);
    CHECK(state["channels"][1]["join_failure"] == "another connection in #random holds the name ann");
}
