#pragma once
// The start screen: server (desktop only), channel and name; the name field has focus and
// Enter joins. Shown until a join is accepted; skipped when the URL or command line
// already says who to be.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "glyph_atlas.hpp"
#include "ui_state.hpp"

namespace parley::ui {

/// What the user asked to join with; the app validates nothing more and starts the model
/// (a guest) or first asks the server (an account).
struct join_request {
    /// Which button: join as a guest, sign in, or create the account and then sign in.
    enum class kind : std::uint8_t { guest, sign_in, create_account };
    std::string server_url;
    std::string channel;
    std::string name;
    kind action = kind::guest;
    std::string password;  ///< for sign_in and create_account
};

/// Draws the start screen into the current window; returns a request on Enter or Join
/// once the fields pass the protocol's rules (else `form.problem` says what is wrong).
/// Its fields and buttons are recorded in `targets` ("name_field", "password_field",
/// "join_guest", "sign_in", "create_account").
std::optional<join_request> draw_start_view(start_form& form, bool server_editable, float scale,
                                            text::glyph_atlas& glyphs, std::vector<drawn_target>& targets);

/// Checks the fields; returns why they cannot be used, or an empty string.
std::string check_start_form(const start_form& form, bool server_editable);

}  // namespace parley::ui
