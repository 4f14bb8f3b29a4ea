#pragma once
// The admin window, shown to admins only: every joined channel's online users with Kick
// and Ban, and the audit log of moderation actions (fetched by the app, see admin_state).

#include "view_context.hpp"

namespace parley::ui {

/// Draws the window as its own ImGui window (movable off the conversation). Does nothing
/// for a user who is not an admin.
void draw_admin_window(view_context& context);

/// Asks for the audit log again after an admin's own action, once the server has had
/// time to record it (the action goes over the WebSocket, the log over HTTP: no order
/// between the two).
void audit_after_action(admin_state& admin, unix_ms now);

/// Whether the app should send GET /api/audit now: the tab is shown, nothing is in
/// flight, and a fetch is due.
bool audit_fetch_due(const admin_state& admin, unix_ms now);

/// Marks a fetch as started (call when the app sends it).
void audit_requested(admin_state& admin);

/// Takes the answer of GET /api/audit: the entries on success (and the next refresh
/// while the tab stays open), else the reason, keeping the entries already shown.
void audit_answered(admin_state& admin, const client::account_reply& reply, unix_ms now);

/// One line for an audit entry's action: "kicked bob from #lobby", "banned bob (60 minutes)",
/// "deleted message 42 in #lobby".
std::string describe_audit_action(const client::audit_entry& entry);

}  // namespace parley::ui
