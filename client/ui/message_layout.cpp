#include "message_layout.hpp"

#include <algorithm>

#include "parley/core/text.hpp"

namespace parley::ui {
namespace {

bool is_continuation_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

/// `wrap`'s answer made safe: at least one whole code point, never past the end, never
/// inside a UTF-8 sequence (ImGui's wrapper falls back to one byte on a tiny width).
std::size_t fit(std::string_view text, float width, const wrap_function& wrap) {
    std::size_t n = std::min(wrap(text, width), text.size());
    if (n == 0) n = 1;
    while (n < text.size() && is_continuation_byte(text[n])) ++n;
    return n;
}

}  // namespace

bool continues_group(std::string_view previous_user, unix_ms previous_time, std::string_view current_user,
                     unix_ms current_time) {
    return same_name(previous_user, current_user) && current_time >= previous_time &&
           current_time - previous_time < group_window_ms;
}

void message_layout::layout_message(std::vector<layout_row>& out, std::uint32_t item, std::string_view text,
                                    bool pending, bool starts_group, bool first,
                                    const wrap_function& wrap) const {
    if (starts_group) {
        if (!first) out.push_back({item, 0, 0, row_kind::gap, pending, false});
        out.push_back({item, 0, 0, row_kind::header, pending, false});
    }
    bool first_line = true;
    std::size_t position = 0;
    // Each "\n" ends a paragraph; each paragraph wraps at the width. An empty paragraph
    // is still a line, as the author typed it.
    while (true) {
        const std::size_t newline = text.find('\n', position);
        const std::size_t paragraph_end = newline == std::string_view::npos ? text.size() : newline;
        std::size_t start = position;
        if (start == paragraph_end) {
            out.push_back({item, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(start),
                           row_kind::line, pending, first_line});
            first_line = false;
        }
        while (start < paragraph_end) {
            const std::string_view rest = text.substr(start, paragraph_end - start);
            const std::size_t n = fit(rest, width_, wrap);
            out.push_back({item, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(start + n),
                           row_kind::line, pending, first_line});
            first_line = false;
            start += n;
            // A wrapped line does not start with the spaces it broke at.
            while (start < paragraph_end && text[start] == ' ') ++start;
        }
        if (newline == std::string_view::npos) break;
        position = newline + 1;
    }
}

void message_layout::layout_all(const client::channel_state& channel, const wrap_function& wrap) {
    ++full_layouts_;
    rows_.clear();
    first_row_.clear();
    laid_out_.clear();
    const auto& messages = channel.messages;
    first_row_.reserve(messages.size());
    laid_out_.reserve(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        const bool starts =
            i == 0 || !continues_group(messages[i - 1].user, messages[i - 1].timestamp, m.user, m.timestamp);
        first_row_.push_back(static_cast<std::uint32_t>(rows_.size()));
        layout_message(rows_, static_cast<std::uint32_t>(i), m.text, false, starts, i == 0, wrap);
        laid_out_.push_back(sign(m));
    }
}

void message_layout::layout_pending(const client::channel_state& channel, std::string_view own_name,
                                    const wrap_function& wrap) {
    pending_rows_.clear();
    std::string_view previous_user;
    unix_ms previous_time = 0;
    bool has_previous = !channel.messages.empty();
    if (has_previous) {
        previous_user = channel.messages.back().user;
        previous_time = channel.messages.back().timestamp;
    }
    for (std::size_t i = 0; i < channel.pending.size(); ++i) {
        const auto& p = channel.pending[i];
        const bool starts =
            !has_previous || !continues_group(previous_user, previous_time, own_name, p.created_ms);
        layout_message(pending_rows_, static_cast<std::uint32_t>(i), p.text, true, starts, !has_previous,
                       wrap);
        has_previous = true;
        previous_user = own_name;
        previous_time = p.created_ms;
    }
}

std::size_t message_layout::first_line_row_of(std::size_t index) const {
    std::size_t row = first_row_of(index);
    while (row < rows_.size() && rows_[row].kind != row_kind::line) ++row;
    return row;
}

bool message_layout::update(const client::channel_state& channel, std::string_view own_name, float width,
                            std::uint64_t wrap_key, const wrap_function& wrap, std::uint64_t revision) {
    if (revision != 0 && revision == revision_ && width == width_ && wrap_key == wrap_key_) return false;
    revision_ = revision;
    const auto& messages = channel.messages;
    const std::size_t old_rows = row_count();
    bool changed = false;

    if (width != width_ || wrap_key != wrap_key_ || laid_out_.empty() || messages.empty()) {
        width_ = width;
        wrap_key_ = wrap_key;
        if (!(laid_out_.empty() && messages.empty())) {
            layout_all(channel, wrap);
            changed = true;
        }
    } else {
        // Where did the old first message go? Older history puts `k` messages before it.
        const message_id old_front = laid_out_.front().id;
        const auto it =
            std::lower_bound(messages.begin(), messages.end(), old_front,
                             [](const client::message_entry& m, message_id id) { return m.id < id; });
        const std::size_t k = static_cast<std::size_t>(it - messages.begin());
        bool same = it != messages.end() && it->id == old_front && k + laid_out_.size() <= messages.size();
        for (std::size_t i = 0; same && i < laid_out_.size(); ++i)
            same = sign(messages[k + i]) == laid_out_[i];
        if (!same) {
            layout_all(channel, wrap);
            changed = true;
        } else {
            if (k > 0) {
                // Lay out the new prefix plus the old first message, whose header may go
                // now that it may continue the prefix's last group.
                std::vector<layout_row> prefix;
                std::vector<std::uint32_t> prefix_first;
                for (std::size_t i = 0; i <= k; ++i) {
                    const auto& m = messages[i];
                    const bool starts =
                        i == 0 || !continues_group(messages[i - 1].user, messages[i - 1].timestamp, m.user,
                                                   m.timestamp);
                    prefix_first.push_back(static_cast<std::uint32_t>(prefix.size()));
                    layout_message(prefix, static_cast<std::uint32_t>(i), m.text, false, starts, i == 0,
                                   wrap);
                }
                // Replace the old first message's rows by the prefix; the rest keep theirs
                // (item indexes and row offsets shift).
                const std::size_t old_first_end = laid_out_.size() > 1 ? first_row_[1] : rows_.size();
                const auto shift =
                    static_cast<std::ptrdiff_t>(prefix.size()) - static_cast<std::ptrdiff_t>(old_first_end);
                std::vector<layout_row> rebuilt = std::move(prefix);
                rebuilt.reserve(rebuilt.size() + rows_.size() - old_first_end);
                for (std::size_t r = old_first_end; r < rows_.size(); ++r) {
                    layout_row row = rows_[r];
                    row.item += static_cast<std::uint32_t>(k);
                    rebuilt.push_back(row);
                }
                for (std::size_t i = 1; i < first_row_.size(); ++i)
                    prefix_first.push_back(
                        static_cast<std::uint32_t>(static_cast<std::ptrdiff_t>(first_row_[i]) + shift));
                std::vector<signature> signs;
                signs.reserve(messages.size());
                for (std::size_t i = 0; i < k; ++i) signs.push_back(sign(messages[i]));
                signs.insert(signs.end(), laid_out_.begin(), laid_out_.end());
                rows_ = std::move(rebuilt);
                first_row_ = std::move(prefix_first);
                laid_out_ = std::move(signs);
                changed = true;
            }
            // Newer messages: append their rows.
            for (std::size_t i = laid_out_.size(); i < messages.size(); ++i) {
                const auto& m = messages[i];
                const bool starts =
                    !continues_group(messages[i - 1].user, messages[i - 1].timestamp, m.user, m.timestamp);
                first_row_.push_back(static_cast<std::uint32_t>(rows_.size()));
                layout_message(rows_, static_cast<std::uint32_t>(i), m.text, false, starts, false, wrap);
                laid_out_.push_back(sign(m));
                changed = true;
            }
        }
    }
    const std::size_t old_pending = pending_rows_.size();
    layout_pending(channel, own_name, wrap);
    return changed || pending_rows_.size() != old_pending || row_count() != old_rows ||
           !channel.pending.empty();
}

}  // namespace parley::ui
