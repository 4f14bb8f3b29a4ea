#include "visible_state.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace parley::ui {

std::string visible_state_json(const ui_state& ui, const client::chat_model* model,
                               const frame_stats& stats) {
    nlohmann::json state;
    state["screen"] = ui.current == ui_state::screen::start ? "start" : "chat";
    state["frames"] = stats.frames;
    state["last_frame_ms"] = stats.last_frame_ms;
    state["first_frame_at_ms"] = stats.first_frame_at_ms;
    state["glyphs"] = {{"added", stats.glyphs.added},
                       {"missing", stats.glyphs.missing},
                       {"rebuilds", stats.glyphs.rebuilds},
                       {"rasterise_ms", stats.glyphs.rasterise_ms}};
    // Where each clickable thing is, so a test clicks what a person would.
    nlohmann::json targets = nlohmann::json::object();
    for (const drawn_target& t : ui.targets)
        targets[t.name] = {std::lround(t.x), std::lround(t.y), std::lround(t.width), std::lround(t.height)};
    state["targets"] = std::move(targets);
    if (ui.current == ui_state::screen::start) {
        state["start"] = {{"server", ui.start.server_url},
                          {"channel", ui.start.channel},
                          {"name", ui.start.name},
                          {"problem", ui.start.problem}};
    }
    if (!model) return state.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

    state["status"] = ui.drawn_status;
    state["layout"] = ui.one_column ? "one_column" : "columns";
    state["drawer"] = ui.open_drawer == ui_state::drawer::channels ? "channels"
                      : ui.open_drawer == ui_state::drawer::users  ? "users"
                                                                   : "none";
    state["connection"] = std::string(client::to_string(model->state()));
    state["user"] = model->user_name();
    state["channel"] = model->active_channel();
    nlohmann::json channels = nlohmann::json::array();
    for (const auto& c : model->channels()) {
        channels.push_back(
            {{"name", c.name}, {"unread", c.unread}, {"online", c.online}, {"joined", c.joined}});
        if (!c.join_failure.empty()) channels.back()["join_failure"] = c.join_failure;
    }
    state["channels"] = std::move(channels);
    nlohmann::json messages = nlohmann::json::array();
    for (const drawn_message& m : ui.drawn) {
        nlohmann::json entry = {{"user", m.user}, {"text", m.text}, {"pending", m.pending}, {"mine", m.mine}};
        if (!m.pending) entry["id"] = m.id;
        if (m.failed) entry["failed"] = true;
        if (m.edited) entry["edited"] = true;
        messages.push_back(std::move(entry));
    }
    state["messages"] = std::move(messages);
    state["typing"] = ui.drawn_typing;
    state["notice"] = ui.drawn_notice;
    state["input"] = ui.composer.text;
    state["input_focused"] = ui.composer_focused;
    state["refusal"] = ui.composer.refusal;
    if (const auto* active = model->active()) {
        state["users"] = active->users;
        state["message_count"] = active->messages.size();
        state["has_more_before"] = active->has_more_before;
        if (const auto list = ui.lists.find(active->name); list != ui.lists.end()) {
            state["list"] = {{"stick_to_bottom", list->second.stick_to_bottom},
                             {"unseen", list->second.unseen},
                             {"scroll_y", list->second.last_scroll_y}};
        }
    }
    nlohmann::json errors = nlohmann::json::array();
    for (const client::error_entry& e : model->errors())
        errors.push_back({{"source", std::string(client::to_string(e.source))}, {"text", e.message}});
    state["errors"] = std::move(errors);
    if (model->is_admin()) {
        nlohmann::json audit = nlohmann::json::array();
        for (const client::audit_entry& e : ui.admin.audit)
            audit.push_back({{"actor", e.actor}, {"action", e.action}, {"target", e.target}, {"channel", e.channel},
                             {"detail", e.detail},
                             {"address", e.address}});
        state["admin"] = {{"audit", std::move(audit)},
                          {"audit_loaded", ui.admin.audit_updated != 0},
                          {"audit_problem", ui.admin.audit_problem}};
    }
    // Invalid UTF-8 never reaches the model, but a probe must not abort the client if it did.
    return state.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace parley::ui
