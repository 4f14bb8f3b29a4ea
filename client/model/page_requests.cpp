#include "model/page_requests.hpp"

#include <utility>

namespace parley::client {

bool page_fits(const page_request& request, const std::vector<chat_message>& messages) {
    if (messages.empty()) return true;
    const message_id newest = messages.back().id;
    switch (request.kind) {
        case page_kind::join:
            return true;
        case page_kind::before:
            return newest < request.anchor;
        case page_kind::join_since:
        case page_kind::after:
            return newest > request.anchor;
    }
    return true;
}

std::optional<page_request> page_requests::take_answer(const std::vector<chat_message>& messages) {
    if (outstanding_.empty()) return std::nullopt;
    for (std::size_t i = 0; i < outstanding_.size(); ++i)
        if (page_fits(outstanding_[i], messages)) return take_at(i);
    return take_at(0);
}

std::optional<page_request> page_requests::take_ref(std::string_view ref) {
    for (std::size_t i = 0; i < outstanding_.size(); ++i)
        if (!outstanding_[i].nonce.empty() && outstanding_[i].nonce == ref) return take_at(i);
    return std::nullopt;
}

std::optional<page_request> page_requests::take_at(std::size_t index) {
    page_request taken = std::move(outstanding_[index]);
    outstanding_.erase(outstanding_.begin() + static_cast<std::ptrdiff_t>(index));
    return taken;
}

}  // namespace parley::client
