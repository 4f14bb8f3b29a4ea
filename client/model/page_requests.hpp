#pragma once
// The history answers one channel awaits, and which request a `history` frame answers.
// A `history` frame names its channel but carries no `ref`, and a request may be answered
// by an `error` instead (name_taken for a join, not_in_channel, server_error): so a page is
// matched by its direction (older than a `before` request's anchor, newer than a resume's),
// and an error's `ref` takes its request out. Pure bookkeeping, used by chat_model on the
// UI thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/messages.hpp"

namespace parley::client {

/// Which request a `history` frame answers.
enum class page_kind : std::uint8_t {
    join,        ///< a join without `since`: the latest page (has_more: older exist)
    join_since,  ///< a join with `since` (a resume): what came after the anchor
    before,      ///< a scroll-back `history` request: older than the anchor
    after,       ///< a resume's next `history` page: newer than the anchor
};

/// One history answer a channel awaits.
struct page_request {
    page_kind kind = page_kind::join;
    /// The request's nonce, which an `error` names as `ref`; empty for the URL's join,
    /// which is no frame and so cannot be refused by ref.
    std::string nonce;
    /// `before`: the page holds older ids; `join_since` and `after`: newer ids. Unused for `join`.
    message_id anchor = 0;
};

/// Whether `messages` (oldest first) can be the answer to `request`: an empty page fits
/// any request; otherwise a `before` page's newest id is below the anchor, and a resume's
/// newest id is above it (a resume may overlap the screen by a message or more).
bool page_fits(const page_request& request, const std::vector<chat_message>& messages);

/// The outstanding history requests of one channel, oldest first. At most one of each
/// kind is out at a time (chat_model sends a scroll-back or a resume page only after the
/// previous one is answered), so direction tells them apart when answers come out of order.
class page_requests {
public:
    /// Records a request just sent.
    void expect(page_request request) { outstanding_.push_back(std::move(request)); }
    /// Takes the request a page with `messages` answers: the oldest one the page fits, else
    /// the oldest one (a server that answers in order); nullopt when none is outstanding
    /// (an unasked page, such as a join the server repeated).
    std::optional<page_request> take_answer(const std::vector<chat_message>& messages);
    /// Takes the request whose nonce is `ref` (an `error` answered it); nullopt if none.
    std::optional<page_request> take_ref(std::string_view ref);
    /// Forgets everything (the connection is gone: nothing will be answered).
    void clear() { outstanding_.clear(); }
    /// The requests awaiting an answer, oldest first.
    const std::vector<page_request>& outstanding() const { return outstanding_; }

private:
    std::optional<page_request> take_at(std::size_t index);

    std::vector<page_request> outstanding_;
};

}  // namespace parley::client
