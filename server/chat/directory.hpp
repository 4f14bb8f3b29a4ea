#pragma once
// What the chat logic asks of accounts and moderation: which names belong to accounts,
// who is banned, and where bans and moderation actions are recorded. Implemented by the
// account service; an open directory (no accounts, no bans) serves tests and tools.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::server::chat {

/// A moderation action for the audit log.
struct moderation_event {
    std::string actor;    ///< the admin's name (for a refused action: whoever tried)
    std::string action;   ///< "kick", "ban", "delete", "edit"; "refused_kick", ... when forbidden
    std::string target;   ///< a user name, or a message id
    std::string channel;  ///< where, when it applies
    std::string detail;   ///< e.g. "60 minutes"
    std::string address = {};  ///< the acting client's address (empty: not known)
};

/// Accounts and bans as the hub sees them. Every member is thread-safe and non-blocking.
class directory {
public:
    virtual ~directory() = default;
    /// Whether `folded` is the name of a registered account (guests may not take it).
    virtual bool is_account_name(std::string_view folded) const = 0;
    /// Whether a ban in force covers the name `folded` (may be empty) or `address`.
    virtual bool is_banned(std::string_view folded, std::string_view address) const = 0;
    /// Records a ban of `folded` and `addresses` until `until_ms` (survives restarts).
    virtual void record_ban(const std::string& actor, const std::string& folded,
                            const std::vector<std::string>& addresses, std::int64_t until_ms) = 0;
    /// Appends to the audit log.
    virtual void record(moderation_event event) = 0;
};

/// No accounts, no bans, nothing recorded.
class open_directory final : public directory {
public:
    bool is_account_name(std::string_view) const override { return false; }
    bool is_banned(std::string_view, std::string_view) const override { return false; }
    void record_ban(const std::string&, const std::string&, const std::vector<std::string>&, std::int64_t) override {}
    void record(moderation_event) override {}
};

}  // namespace parley::server::chat
