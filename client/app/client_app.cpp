#include "client_app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <utility>

#include "admin_view.hpp"
#include "announce.hpp"
#include "chat_view.hpp"
#include "launch.hpp"
#include "sign_in_fields.hpp"
#include "state_probe.hpp"
#include "token_store.hpp"
#include "view_context.hpp"

namespace parley::app {
namespace {

/// Audit entries asked for at once: the server's maximum; a page is at most ~250 KB.
constexpr int audit_page_entries = 1000;

unix_ms wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

client_app::client_app(platform::app_window& window, platform::imgui_backend& backend,
                       std::shared_ptr<platform::main_loop> loop, options::launch_settings settings)
    : window_(window),
      backend_(backend),
      loop_(std::move(loop)),
      settings_(std::move(settings)),
      theme_(text::make_system_glyph_source()),
      avatars_(window.dialect().shader_prelude) {
    ui_.start.server_url = settings_.server_url;
    ui_.start.channel = settings_.channel;
    ui_.start.name = settings_.name;
    ui_.start.problem = settings_.problem;
    // A remembered session signs in without asking; if it was revoked, frame() notices.
    if (settings_.token.empty()) settings_.token = platform::load_token(settings_.server_url);
    if (settings_.join_at_once || !settings_.token.empty())
        join({settings_.server_url, settings_.channel, settings_.name, ui::join_request::kind::guest, {}},
             wall_clock_ms());
}

client_app::~client_app() {
    if (model_) model_->stop();
    if (transport_) transport_->set_wake_callback({});
}

void client_app::join(const ui::join_request& request, unix_ms now) {
    settings_.server_url = request.server_url;
    settings_.channel = request.channel;
    settings_.name = request.name;
    // Failing to remember is no reason not to chat; the next run just asks again.
    (void)platform::remember_launch_settings(settings_);

    client::model_config config;
    config.server_url = request.server_url;
    config.channel = request.channel;
    config.user_name = request.name;
    config.token = settings_.token;
    config.seed = platform::random_seed();
    if (model_) model_->stop();
    model_.reset();
    transport_ = client::make_transport(tls_options());
    // Natively this runs on the transport's thread: main_loop::wake is thread-safe.
    transport_->set_wake_callback([loop = std::weak_ptr<platform::main_loop>(loop_)] {
        if (auto l = loop.lock()) l->wake();
    });
    model_ = std::make_unique<client::chat_model>(*transport_, std::move(config));
    model_->start(now);
    ui_.current = ui::ui_state::screen::chat;
    ui_.composer.focus_wanted = true;
    glfwSetWindowTitle(window_.handle(), ("Parley \xE2\x80\x94 #" + request.channel).c_str());
}

void client_app::submit(const ui::join_request& request, unix_ms now) {
    switch (request.action) {
        case ui::join_request::kind::guest:
            settings_.token.clear();  // an explicit guest, even with a saved session
            join(request, now);
            return;
        case ui::join_request::kind::sign_in:
            sign_in(request);
            return;
        case ui::join_request::kind::create_account:
            ui_.start.busy = true;
            accounts(request.server_url)
                .register_account(request.name, request.password, [this, request](client::account_reply reply) {
                    if (reply.status == 201) return sign_in(request);
                    account_failed(reply);
                });
            return;
    }
}

void client_app::sign_in(const ui::join_request& request) {
    ui_.start.busy = true;
    accounts(request.server_url).login(request.name, request.password, [this, request](client::account_reply reply) {
        if (reply.status != 200 || reply.token.empty()) return account_failed(reply);
        ui_.start.busy = false;
        ui_.start.password.clear();
        ui_.start.problem.clear();
        settings_.token = reply.token;
        // Not remembered (storage off): the session still works for this run.
        (void)platform::save_token(request.server_url, settings_.token);
        ui::join_request as_account = request;
        as_account.name = reply.user.empty() ? request.name : reply.user;
        as_account.password.clear();
        join(as_account, wall_clock_ms());
    });
}

void client_app::account_failed(const client::account_reply& reply) {
    ui_.start.busy = false;
    ui_.start.problem = reply.error.empty() ? "The server refused: " + std::to_string(reply.status) : reply.error;
    // 429: throttled or too many sign-ups; 503: the server's password worker is full.
    if ((reply.status == 429 || reply.status == 503) && reply.retry_after_s > 0)
        ui_.start.problem += " Try again in " + std::to_string(reply.retry_after_s) + " s.";
}

void client_app::fetch_audit_if_due(unix_ms now) {
    if (!ui::audit_fetch_due(ui_.admin, now)) return;
    ui::audit_requested(ui_.admin);
    accounts(settings_.server_url)
        .audit(settings_.token, audit_page_entries, [this, token = settings_.token](client::account_reply reply) {
            // Signed out (or in as someone else) meanwhile: the log is not the new user's.
            if (token != settings_.token) return;
            ui::audit_answered(ui_.admin, reply, wall_clock_ms());
        });
}

void client_app::sign_out() {
    ui_.admin = {};  // the next admin starts with an empty log, not this one's
    const std::string token = std::exchange(settings_.token, {});
    if (!token.empty()) accounts(settings_.server_url).logout(token, [](client::account_reply) {});
    (void)platform::save_token(settings_.server_url, {});
    if (model_) model_->stop();
    ui_.current = ui::ui_state::screen::start;
    ui_.start.focus_name = true;
}

client::transport_options client_app::tls_options() const {
    client::transport_options options;
    options.ca_file = settings_.ca_file;
    return options;
}

client::account_api& client_app::accounts(const std::string& server_url) {
    if (!accounts_ || accounts_server_ != server_url) {
        accounts_server_ = server_url;
        accounts_ = client::make_account_api(client::http_base_of(server_url), tls_options(),
                                             [loop = std::weak_ptr<platform::main_loop>(loop_)] {
                                                 if (auto l = loop.lock()) l->wake();
                                             });
    }
    return *accounts_;
}

platform::frame_outcome client_app::next_frame_due(unix_ms now) const {
    platform::frame_outcome outcome;
    if (!model_) return outcome;
    std::optional<unix_ms> due = model_->next_deadline();
    // The reconnect countdown changes every second.
    if (const auto at = model_->reconnect_at();
        at && model_->state() == client::connection_state::reconnecting) {
        const unix_ms left = *at - now;
        const unix_ms tick = left > 0 ? now + (left - 1) % 1000 + 1 : now;
        due = due ? std::min(*due, tick) : tick;
    }
    // The audit log's next refresh, while it is shown.
    if (ui_.admin.audit_shown && !ui_.admin.audit_loading && ui_.admin.audit_due)
        due = due ? std::min(*due, *ui_.admin.audit_due) : *ui_.admin.audit_due;
    if (due) {
        const auto wait = std::chrono::milliseconds(std::max<unix_ms>(*due - now, 0));
        outcome.next_deadline = platform::loop_clock::now() + wait;
    }
    return outcome;
}

void client_app::sync_sign_in_fields(bool start_screen) {
    platform::sign_in_frame frame;
    frame.shown = start_screen;
    if (start_screen) {
        using field = platform::sign_in_frame::field;
        frame.active = ui_.start.active == ui::start_form::field::name       ? field::name
                       : ui_.start.active == ui::start_form::field::password ? field::password
                                                                             : field::none;
        for (const ui::drawn_target& target : ui_.targets) {
            float* rect = target.name == "name_field"       ? frame.name_rect
                          : target.name == "password_field" ? frame.password_rect
                                                            : nullptr;
            if (!rect) continue;
            rect[0] = target.x;
            rect[1] = target.y;
            rect[2] = target.width;
            rect[3] = target.height;
        }
        frame.name = ui_.start.name;
        frame.password = ui_.start.password;
    }
    const platform::sign_in_fill fill = platform::sync_sign_in_fields(frame);
    // A password manager filled the page's fields: the start screen shows what it put there.
    if (fill.name) ui_.start.name = *fill.name;
    if (fill.password) ui_.start.password = *fill.password;
    if (fill.name || fill.password) ui_.start.filled = true;
}

void client_app::publish_state() {
    if (!platform::state_probe_enabled()) return;
    std::string json = ui::visible_state_json(ui_, model_.get(), stats_);
    if (json == published_) return;
    published_ = json;
    platform::publish_visible_state(std::move(json));
}

platform::frame_outcome client_app::frame() {
    const auto frame_start = std::chrono::steady_clock::now();
    const unix_ms now = wall_clock_ms();
    if (accounts_) accounts_->poll();
    if (model_) model_->tick(now);
    if (model_ && model_->sign_in_needed()) {
        // The saved token no longer opens a connection: most likely revoked or expired.
        sign_out();
        ui_.start.problem = "Your session expired; sign in again.";
    }

    int window_width = 0;
    int framebuffer_width = 0;
    int unused = 0;
    glfwGetWindowSize(window_.handle(), &window_width, &unused);
    glfwGetFramebufferSize(window_.handle(), &framebuffer_width, &unused);
    const float framebuffer_scale =
        window_width > 0 ? static_cast<float>(framebuffer_width) / static_cast<float>(window_width) : 1.0f;
    if (theme_.apply(window_.content_scale(), framebuffer_scale)) backend_.rebuild_font_texture();
    // Avatars are two text rows tall; in physical pixels that is about 2.6 x the font size.
    avatars_.set_display_size(ui::base_font_px * window_.content_scale() * 2.6f);

    backend_.new_frame();
    avatars_.next_frame();
    ui_.targets.clear();
    ui_.active_field_name.clear();
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(0.0f, 0.0f));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("Parley", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollbar |
                     // The renderer clears to the window colour: no second full-window layer.
                     ImGuiWindowFlags_NoBackground);
    const bool start_screen = ui_.current == ui::ui_state::screen::start || !model_;
    if (start_screen) {
        if (auto request = ui::draw_start_view(ui_.start, settings_.server_editable, theme_.size_scale(),
                                               theme_.glyphs(), ui_.targets)) {
            if (request->action != ui::join_request::kind::guest) platform::sign_in_submitted();
            submit(*request, now);
        }
    } else {
        ui::view_context context{*model_, ui_, avatars_, theme_.glyphs(), theme_.size_scale(), now};
        ui::draw_chat_screen(context);
        fetch_audit_if_due(now);
    }
    for (const std::string& line :
         announcer_.update(model_ && ui_.current == ui::ui_state::screen::chat ? model_->active() : nullptr))
        platform::announce(line);
    if (std::exchange(ui_.sign_out_requested, false)) sign_out();
    sync_sign_in_fields(start_screen);
    if (start_screen)
        ui_.active_field_name = ui_.start.active == ui::start_form::field::server    ? "Server address"
                                : ui_.start.active == ui::start_form::field::channel ? "Channel"
                                                                                     : "";
    platform::name_text_field(ui_.active_field_name);
    ImGui::End();
    avatars_.render_pending();
    if (const auto rows = theme_.glyphs().take_changed_rows())
        backend_.update_font_texture(rows->first, rows->end);
    backend_.render();

    const auto frame_end = std::chrono::steady_clock::now();
    stats_.frames += 1;
    stats_.last_frame_ms = std::chrono::duration<double, std::milli>(frame_end - frame_start).count();
    stats_.glyphs = theme_.glyphs().stats();
    if (stats_.frames == 1)
        stats_.first_frame_at_ms = std::chrono::duration<double, std::milli>(frame_end - started_).count();
    publish_state();
    platform::frame_outcome outcome = next_frame_due(now);
    // The glyph atlas filled up: the next frame rebuilds it and draws what did not fit.
    if (theme_.glyphs().wants_rebuild()) outcome.animating = true;
    if (backend_.animating()) outcome.animating = true;  // a flicked list still moving
    return outcome;
}

}  // namespace parley::app
