#pragma once
// The application: owns the model, its transport, the view state and the avatar atlas,
// and builds one frame at a time for the main loop. The same code runs natively and in
// the browser; what differs is behind client/platform.

#include <chrono>
#include <memory>
#include <string>

#include "avatar_atlas.hpp"
#include "imgui_backend.hpp"
#include "launch_options.hpp"
#include "live_announcer.hpp"
#include "main_loop.hpp"
#include "model/account_api.hpp"
#include "model/chat_model.hpp"
#include "model/transport.hpp"
#include "start_view.hpp"
#include "theme.hpp"
#include "ui_state.hpp"
#include "visible_state.hpp"
#include "window.hpp"

namespace parley::app {

/// One client session. Main thread only; borrows the window and the ImGui backend (which
/// outlive it) and shares the loop with the transport's wake hook.
class client_app {
public:
    client_app(platform::app_window& window, platform::imgui_backend& backend,
               std::shared_ptr<platform::main_loop> loop, options::launch_settings settings);
    ~client_app();
    client_app(const client_app&) = delete;
    client_app& operator=(const client_app&) = delete;

    /// Builds, draws and presents one frame; says when the next one is due.
    platform::frame_outcome frame();

private:
    /// Starts the model for `request`, remembering the settings for the next run.
    void join(const ui::join_request& request, unix_ms now);
    /// Handles a start-screen request: a guest joins at once; an account is first
    /// created (if asked) and signed in over HTTP, then joins with its token.
    void submit(const ui::join_request& request, unix_ms now);
    /// Signs in with the form's name and password; joins on success.
    void sign_in(const ui::join_request& request);
    /// Shows an account request's failure under the start form.
    void account_failed(const client::account_reply& reply);
    /// Sends GET /api/audit when the admin window's audit tab wants it.
    void fetch_audit_if_due(unix_ms now);
    /// Ends the account session: logout request, forget the token, back to the start.
    void sign_out();
    /// The account API for `server_url`, made on first use or when the server changes.
    client::account_api& accounts(const std::string& server_url);
    /// When a frame must run even without events: the model's timers, the countdown.
    platform::frame_outcome next_frame_due(unix_ms now) const;
    void publish_state();
    /// Lays the page's own name and password fields over the start screen's (or hides
    /// them) and takes what a password manager filled in (platform/sign_in_fields.hpp).
    void sync_sign_in_fields(bool start_screen);

    platform::app_window& window_;
    platform::imgui_backend& backend_;
    std::shared_ptr<platform::main_loop> loop_;
    /// What wss:// and https:// trust (the --ca file, or the system store).
    client::transport_options tls_options() const;

    options::launch_settings settings_;

    ui::theme theme_;
    ui::avatar_atlas avatars_;
    ui::ui_state ui_;
    // The model borrows the transport: declared after it, so destroyed first.
    std::unique_ptr<client::transport> transport_;
    std::unique_ptr<client::chat_model> model_;
    // Its callbacks capture `this`: they run only from poll() or the browser's loop, and
    // none after it is destroyed.
    std::unique_ptr<client::account_api> accounts_;
    std::string accounts_server_;

    ui::live_announcer announcer_;  ///< what a screen reader is told about the open channel
    ui::frame_stats stats_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::string published_;
};

}  // namespace parley::app
