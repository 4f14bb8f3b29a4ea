#pragma once
// The message list cut into lines of one height. ImGuiListClipper skips rows it does not
// draw by assuming they are all equally tall, so each message becomes a header line
// (avatar, name, time) when it starts a group, then one row per wrapped text line. Kept
// up to date incrementally: new messages append rows, older history prepends them, and
// only a new wrap width or a change in the middle (an edit, a delete) lays out everything.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "model/model_types.hpp"

namespace parley::ui {

/// Messages from one author closer together than this share one header: five minutes
/// keeps a conversation's burst together and splits it from the next one.
inline constexpr unix_ms group_window_ms = 5 * 60 * 1000;

/// Whether `current` continues the group `previous` belongs to (same author, close in time).
bool continues_group(std::string_view previous_user, unix_ms previous_time, std::string_view current_user,
                     unix_ms current_time);

/// What a row shows.
enum class row_kind : std::uint8_t {
    gap,     ///< space between two groups
    header,  ///< the group's avatar, author and time
    line,    ///< one wrapped line of a message's text
};

/// One line of the list.
struct layout_row {
    std::uint32_t item = 0;   ///< index into channel.messages, or into channel.pending when `pending`
    std::uint32_t begin = 0;  ///< byte range of this line in the item's text (line rows)
    std::uint32_t end = 0;
    row_kind kind = row_kind::line;
    bool pending = false;
    bool first_line = false;  ///< the item's first text line (marks and menus hang here)
};

/// Bytes of `text` that fit on one line `width` wide (at least one code point when `text`
/// is not empty). The app measures with ImGui's font; tests with a fixed advance.
using wrap_function = std::function<std::size_t(std::string_view text, float width)>;

/// A channel's rows. Owned by the channel's message_list_state; main thread only.
class message_layout {
public:
    /// Brings the rows up to date with `channel`, wrapped at `width` by `wrap`. `own_name`
    /// authors the pending messages. `wrap_key` changes when `wrap` measures differently
    /// (a new font size, glyphs dropped from the atlas), forcing a full layout. `revision` is the model's: an
    /// unchanged one with the same width returns at once, without even comparing messages. Returns whether
    /// any row changed.
    bool update(const client::channel_state& channel, std::string_view own_name, float width,
                std::uint64_t wrap_key, const wrap_function& wrap, std::uint64_t revision = 0);

    /// Rows: delivered messages first, then the pending ones.
    std::size_t row_count() const { return rows_.size() + pending_rows_.size(); }
    const layout_row& row(std::size_t index) const {
        return index < rows_.size() ? rows_[index] : pending_rows_[index - rows_.size()];
    }

    /// The first row of delivered message `index` (its gap or header when it starts a group).
    std::size_t first_row_of(std::size_t index) const {
        return index < first_row_.size() ? first_row_[index] : 0;
    }
    /// The row of delivered message `index`'s first text line: where a scroll anchor sits,
    /// since headers come and go as older history joins a group.
    std::size_t first_line_row_of(std::size_t index) const;

    /// Full layouts done so far (tests check that appends stay incremental).
    std::uint64_t full_layouts() const { return full_layouts_; }

private:
    /// What a delivered message looked like when laid out, to notice changes cheaply.
    struct signature {
        message_id id = 0;
        unix_ms edited_at = 0;
        std::size_t text_bytes = 0;
        bool operator==(const signature&) const = default;
    };
    static signature sign(const client::message_entry& message) {
        return {message.id, message.edited_at, message.text.size()};
    }

    void layout_all(const client::channel_state& channel, const wrap_function& wrap);
    /// Appends one message's rows to `out`: a gap (unless `first`) and a header when it
    /// starts a group, then its wrapped lines.
    void layout_message(std::vector<layout_row>& out, std::uint32_t item, std::string_view text, bool pending,
                        bool starts_group, bool first, const wrap_function& wrap) const;
    void layout_pending(const client::channel_state& channel, std::string_view own_name,
                        const wrap_function& wrap);

    float width_ = -1.0f;
    std::uint64_t wrap_key_ = ~std::uint64_t{0};
    std::uint64_t revision_ = 0;
    std::vector<layout_row> rows_;
    std::vector<layout_row> pending_rows_;
    std::vector<signature> laid_out_;       ///< per delivered message
    std::vector<std::uint32_t> first_row_;  ///< per delivered message
    std::uint64_t full_layouts_ = 0;
};

}  // namespace parley::ui
