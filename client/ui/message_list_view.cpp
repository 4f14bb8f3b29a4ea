#include "message_list_view.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // SetNextWindowScroll, GetWindowScrollbarID: scroll this frame, not next

#include <algorithm>
#include <cmath>
#include <functional>

#include "admin_view.hpp"
#include "bidi.hpp"
#include "drawn_targets.hpp"
#include "theme.hpp"
#include "time_format.hpp"

namespace parley::ui {
namespace {

// U+2713 CHECK MARK, U+25CB WHITE CIRCLE, U+2026 ELLIPSIS, U+2193 DOWNWARDS ARROW
constexpr const char* delivered_mark = "\xE2\x9C\x93";
constexpr const char* pending_mark = "\xE2\x97\x8B";
constexpr const char* ellipsis = "\xE2\x80\xA6";
constexpr const char* down_arrow = "\xE2\x86\x93";

/// Sizes of one frame's list, all in ImGui coordinates.
struct list_metrics {
    float row = 0;      ///< every row's height
    float avatar = 0;   ///< avatar side: a header and a first line
    float gutter = 0;   ///< text starts this far right of the row's left edge
    float marks = 0;    ///< width kept free at the right for ✓, (edited), sending…
    float inner = 0;    ///< the rows' width
    float text_dy = 0;  ///< text's offset from a row's top, centring it in the row
};

/// A message as one row needs it, whether delivered or still pending.
struct row_item {
    long long key = 0;  ///< hovered_key's encoding
    std::string_view user;
    std::string_view text;
    unix_ms time = 0;
    const client::message_entry* delivered = nullptr;
    const client::pending_message* pending = nullptr;
};

row_item item_of(const client::channel_state& channel, const layout_row& row, std::string_view own_name) {
    row_item item;
    if (row.pending) {
        const auto& p = channel.pending[row.item];
        item.key = -1 - static_cast<long long>(row.item);
        item.user = own_name;
        item.text = p.text;
        item.time = p.created_ms;
        item.pending = &p;
    } else {
        const auto& m = channel.messages[row.item];
        item.key = m.id;
        item.user = m.user;
        item.text = m.text;
        item.time = m.timestamp;
        item.delivered = &m;
    }
    return item;
}

std::size_t index_of(const client::channel_state& channel, message_id id) {
    const auto it =
        std::lower_bound(channel.messages.begin(), channel.messages.end(), id,
                         [](const client::message_entry& m, message_id key) { return m.id < key; });
    return static_cast<std::size_t>(it - channel.messages.begin());
}

const client::message_entry* find_message(const client::channel_state& channel, message_id id) {
    const std::size_t i = index_of(channel, id);
    return i < channel.messages.size() && channel.messages[i].id == id ? &channel.messages[i] : nullptr;
}

/// The right-hand marks of an item's first line: delivery, edits, failures.
void draw_marks(ImDrawList& list, const row_item& item, ImVec2 at, const list_metrics& m) {
    std::string mark;
    ImVec4 colour = palette::dim;
    if (item.pending) {
        switch (item.pending->status) {
            case client::pending_message::state::queued:
                mark = std::string(pending_mark) + " waiting";
                break;
            case client::pending_message::state::sent:
                mark = std::string(pending_mark) + " sending" + ellipsis;
                break;
            case client::pending_message::state::failed:
                mark = "not sent";
                colour = palette::bad;
                break;
        }
    } else {
        if (item.delivered->edited_at != 0) mark = "(edited)";
        if (item.delivered->mine) mark += mark.empty() ? delivered_mark : std::string(" ") + delivered_mark;
    }
    if (mark.empty()) return;
    const float width = ImGui::CalcTextSize(mark.c_str()).x;
    list.AddText(ImVec2(at.x + m.inner - width, at.y + m.text_dy), ImGui::GetColorU32(colour), mark.c_str());
}

/// One wrapped line of `text` at `at`: as it is, or, when its paragraph holds right-to-left
/// letters, in visual order with Arabic joined (text/bidi.hpp), right-aligned within
/// `width` when the paragraph reads right to left.
void draw_line_text(ImDrawList& list, text::glyph_atlas& glyphs, std::string_view text, const layout_row& row,
                    ImVec2 at, float width, ImU32 colour) {
    const std::size_t newline_before =
        row.begin == 0 ? std::string_view::npos : text.rfind('\n', row.begin - 1);
    const std::size_t paragraph_begin = newline_before == std::string_view::npos ? 0 : newline_before + 1;
    const std::size_t paragraph_end = std::min(text.find('\n', row.end), text.size());
    const std::string_view paragraph = text.substr(paragraph_begin, paragraph_end - paragraph_begin);
    if (!text::needs_bidi(paragraph)) {
        list.AddText(at, colour, text.data() + row.begin, text.data() + row.end);
        return;
    }
    const text::visual_line line =
        text::visual_order(paragraph, row.begin - paragraph_begin, row.end - paragraph_begin);
    glyphs.ensure(line.text);  // the joined forms are code points of their own
    if (line.right_to_left) at.x += std::max(width - ImGui::CalcTextSize(line.text.c_str()).x, 0.0f);
    list.AddText(at, colour, line.text.c_str());
}

/// The context menu of the message under the right click: copy, edit, delete, retry.
void draw_message_menu(view_context& context, const client::channel_state& channel) {
    if (!ImGui::BeginPopup("message_menu")) return;
    ui_state& ui = context.ui;
    if (ui.menu_message) {
        if (const auto* m = find_message(channel, *ui.menu_message)) {
            if (ImGui::MenuItem("Copy text")) ImGui::SetClipboardText(m->text.c_str());
            note_target(ui.targets, "menu_copy");
            if (m->mine) {
                if (ImGui::MenuItem("Edit")) {
                    ui.composer.editing = m->id;
                    ui.composer.text = m->text;
                    ui.composer.refusal.clear();
                    ui.composer.focus_wanted = true;
                }
                note_target(ui.targets, "menu_edit");
            }
            // Admins may delete anyone's message; the server checks the role again.
            if (m->mine || context.model.is_admin()) {
                if (ImGui::MenuItem("Delete") && context.model.delete_message(m->id, context.now) &&
                    context.model.is_admin())
                    audit_after_action(ui.admin, context.now);
                note_target(ui.targets, "menu_delete");
            }
        } else {
            ImGui::CloseCurrentPopup();  // deleted while the menu was open
        }
    } else {
        const auto it =
            std::find_if(channel.pending.begin(), channel.pending.end(),
                         [&](const client::pending_message& p) { return p.nonce == ui.menu_pending_nonce; });
        if (it != channel.pending.end()) {
            if (ImGui::MenuItem("Copy text")) ImGui::SetClipboardText(it->text.c_str());
            if (it->status == client::pending_message::state::failed && ImGui::MenuItem("Send again"))
                context.model.retry_message(it->nonce, context.now);
            if (it->status != client::pending_message::state::sent && ImGui::MenuItem("Discard"))
                context.model.discard_message(it->nonce);
        } else {
            ImGui::CloseCurrentPopup();  // delivered while the menu was open
        }
    }
    ImGui::EndPopup();
}

/// Notes each item drawn once, in order, for the state probe.
void record_drawn(ui_state& ui, const row_item& item) {
    const long long key = item.key;
    if (!ui.drawn.empty()) {
        const drawn_message& last = ui.drawn.back();
        const long long last_key = last.pending ? -1 - static_cast<long long>(last.id) : last.id;
        if (last_key == key) return;
    }
    drawn_message d;
    d.user = std::string(item.user);
    d.text = std::string(item.text);
    if (item.pending) {
        d.id = static_cast<message_id>(-1 - key);  // the pending index, for de-duplication only
        d.pending = true;
        d.failed = item.pending->status == client::pending_message::state::failed;
        d.mine = true;
    } else {
        d.id = item.delivered->id;
        d.mine = item.delivered->mine;
        d.edited = item.delivered->edited_at != 0;
    }
    ui.drawn.push_back(std::move(d));
}

}  // namespace

void draw_message_list(view_context& context, ImVec2 size) {
    ui_state& ui = context.ui;
    ui.drawn.clear();
    const client::channel_state* channel = context.model.active();
    if (!channel) {
        ImGui::BeginChild("##messages", size);
        ImGui::TextColored(palette::dim, "Join a channel to start.");
        ImGui::EndChild();
        return;
    }
    auto found = ui.lists.find(channel->name);
    if (found == ui.lists.end()) found = ui.lists.emplace(channel->name, message_list_state{}).first;
    message_list_state& list = found->second;
    const std::string_view own_name = context.model.user_name().empty()
                                          ? std::string_view(context.model.wanted_name())
                                          : context.model.user_name();

    const ImGuiStyle& style = ImGui::GetStyle();
    list_metrics m;
    m.row = std::floor(ImGui::GetTextLineHeight() + 4.0f * context.scale);
    m.text_dy = std::floor((m.row - ImGui::GetTextLineHeight()) * 0.5f);
    m.avatar = 2.0f * m.row - 4.0f * context.scale;
    m.gutter = m.avatar + 10.0f * context.scale;
    m.marks = ImGui::CalcTextSize("(edited) \xE2\x9C\x93").x + 14.0f * context.scale;
    m.inner = std::max(size.x - 2.0f * style.WindowPadding.x - style.ScrollbarSize, 1.0f);
    const float wrap_width = std::max(m.inner - m.gutter - m.marks, 40.0f * context.scale);

    ImFont* font = ImGui::GetFont();
    const float font_size = ImGui::GetFontSize();
    text::glyph_atlas& glyphs = context.glyphs;
    // Text is measured with the glyphs it will be drawn with, so they are made first. The
    // layout asks for a paragraph's lines one after another, each time with the rest of
    // it: the glyphs of a rest already ensured are there.
    std::string_view ensured;
    const wrap_function wrap = [font, font_size, &glyphs, &ensured](std::string_view text, float width) {
        // std::less_equal: the pointers may be into different messages' texts.
        const std::less_equal<const char*> at_most;
        const bool within = at_most(ensured.data(), text.data()) &&
                            at_most(text.data() + text.size(), ensured.data() + ensured.size());
        if (!within) {
            glyphs.ensure(text);
            ensured = text;
        }
        const char* end = font->CalcWordWrapPositionA(font_size / font->FontSize, text.data(),
                                                      text.data() + text.size(), width);
        return static_cast<std::size_t>(end - text.data());
    };
    // A new font size or a new generation of the glyph atlas measures differently.
    const std::uint64_t wrap_key =
        static_cast<std::uint64_t>(std::lround(font_size * 64.0f)) << 32 | context.glyphs.generation();
    list.layout.update(*channel, own_name, wrap_width, wrap_key, wrap, context.model.revision());
    const std::size_t rows = list.layout.row_count();
    const float content_height = static_cast<float>(rows) * m.row;

    // Decide the scroll before the child begins, so it applies in this very frame.
    const ImGuiIO& io = ImGui::GetIO();
    const bool wheel_up_here = io.MouseWheel > 0.0f && io.MousePos.x >= list.view_rect[0] &&
                               io.MousePos.y >= list.view_rect[1] && io.MousePos.x < list.view_rect[2] &&
                               io.MousePos.y < list.view_rect[3];
    if (wheel_up_here) list.stick_to_bottom = false;
    if (list.jump_to_bottom) {
        list.stick_to_bottom = true;
        list.jump_to_bottom = false;
    }
    std::optional<float> scroll_to;
    const message_id oldest = channel->messages.empty() ? 0 : channel->messages.front().id;
    if (list.stick_to_bottom) {
        scroll_to = content_height;  // clamped to the bottom
    } else if (list.anchor_id != 0 && list.oldest_laid_out != 0 && oldest != 0 &&
               oldest < list.oldest_laid_out) {
        // Older history arrived above: keep the anchored message where the reader left it.
        const std::size_t i = index_of(*channel, list.anchor_id);
        if (i < channel->messages.size())
            scroll_to = static_cast<float>(list.layout.first_line_row_of(i)) * m.row + list.anchor_offset;
    }
    list.oldest_laid_out = oldest;

    ImGui::SetNextWindowContentSize(ImVec2(0.0f, content_height));
    if (scroll_to) ImGui::SetNextWindowScroll(ImVec2(-1.0f, *scroll_to));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(style.ItemSpacing.x, 0.0f));
    ImGui::BeginChild("##messages", size, false, ImGuiWindowFlags_AlwaysVerticalScrollbar);
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    const float scroll_y = ImGui::GetScrollY();
    const float scroll_max = ImGui::GetScrollMaxY();
    const bool at_bottom = scroll_y >= scroll_max - 1.0f;
    const bool dragging = ImGui::GetActiveID() == ImGui::GetWindowScrollbarID(window, ImGuiAxis_Y);
    if (dragging || (!scroll_to && std::fabs(scroll_y - list.last_scroll_y) > 0.5f))
        list.stick_to_bottom = at_bottom;

    // Near the top with more above: fetch the previous page (the model allows one at a time).
    if (scroll_y <= 2.0f * m.row && channel->has_more_before && !channel->loading_older)
        context.model.load_older(channel->name);

    ImDrawList& draw = *ImGui::GetWindowDrawList();
    const ImU32 text_colour = ImGui::GetColorU32(palette::text);
    const ImU32 pending_colour = ImGui::GetColorU32(palette::dim);
    const ImU32 hover_colour = ImGui::GetColorU32(ImVec4(1.0f, 1.0f, 1.0f, 0.035f));
    const bool window_hovered = ImGui::IsWindowHovered();
    long long hovered_now = 0;

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows), m.row);
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const layout_row& row = list.layout.row(static_cast<std::size_t>(r));
            const row_item item = item_of(*channel, row, own_name);
            const ImVec2 at = ImGui::GetCursorScreenPos();
            const ImVec2 row_max(at.x + m.inner, at.y + m.row);
            if (row.kind != row_kind::gap) {
                if (window_hovered && ImGui::IsMouseHoveringRect(at, row_max)) hovered_now = item.key;
                if (list.hovered_key == item.key) draw.AddRectFilled(at, row_max, hover_colour);
            }
            switch (row.kind) {
                case row_kind::gap:
                    break;
                case row_kind::header: {
                    draw_avatar(draw, context.avatars, item.user, ImVec2(at.x, at.y + 2.0f * context.scale),
                                m.avatar);
                    const std::string name(item.user);
                    const ImVec2 name_at(at.x + m.gutter, at.y + m.text_dy);
                    draw.AddText(name_at, ImGui::GetColorU32(name_colour(item.user)), name.c_str());
                    const std::string when = format_message_time(item.time, context.now);
                    const float name_width = ImGui::CalcTextSize(name.c_str()).x;
                    draw.AddText(ImVec2(name_at.x + name_width + 8.0f * context.scale, name_at.y),
                                 ImGui::GetColorU32(palette::dim), when.c_str());
                    break;
                }
                case row_kind::line: {
                    // The avatar spans the header and the first line; draw it here too when
                    // the header has scrolled out of the clipper's range.
                    if (row.first_line && r > 0 && r == clipper.DisplayStart &&
                        list.layout.row(static_cast<std::size_t>(r - 1)).kind == row_kind::header)
                        draw_avatar(draw, context.avatars, item.user,
                                    ImVec2(at.x, at.y - m.row + 2.0f * context.scale), m.avatar);
                    draw_line_text(draw, context.glyphs, item.text, row,
                                   ImVec2(at.x + m.gutter, at.y + m.text_dy), wrap_width,
                                   item.pending ? pending_colour : text_colour);
                    if (row.first_line) draw_marks(draw, item, at, m);
                    break;
                }
            }
            if (row.kind != row_kind::gap) record_drawn(ui, item);
            if (row.kind != row_kind::gap && window_hovered && ImGui::IsMouseHoveringRect(at, row_max)) {
                if (ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
                    ui.menu_message.reset();
                    ui.menu_pending_nonce.clear();
                    if (item.delivered) ui.menu_message = item.delivered->id;
                    if (item.pending) ui.menu_pending_nonce = item.pending->nonce;
                    ImGui::OpenPopup("message_menu");
                }
                if (row.kind == row_kind::header)
                    ImGui::SetTooltip("%s", format_full_time(item.time).c_str());
                if (item.pending && item.pending->status == client::pending_message::state::failed)
                    ImGui::SetTooltip("Not sent: %s (right-click to send again)",
                                      item.pending->failure.c_str());
            }
            ImGui::Dummy(ImVec2(m.inner, m.row));
            if (row.kind == row_kind::line && row.first_line && item.delivered) {
                note_target(ui.targets, "message:" + std::to_string(item.delivered->id));
                note_area(ui.targets, "text:" + std::to_string(item.delivered->id),
                          ImVec2(at.x + m.gutter, at.y), ImVec2(at.x + m.gutter + wrap_width, at.y + m.row));
            }
        }
    }
    list.hovered_key = hovered_now;
    draw_message_menu(context, *channel);

    const ImVec2 view_min = ImGui::GetWindowPos();
    const ImVec2 view_size = ImGui::GetWindowSize();
    if (rows == 0) {
        ImGui::SetCursorPos(ImVec2(style.WindowPadding.x, scroll_y + style.WindowPadding.y));
        if (!channel->join_failure.empty())
            ImGui::TextColored(palette::bad, "Could not join #%s: %s", channel->name.c_str(),
                               channel->join_failure.c_str());
        else
            ImGui::TextColored(palette::dim,
                               channel->joined ? "No messages in #%s yet. Say hello!" : "Joining #%s%s",
                               channel->name.c_str(), channel->joined ? "" : ellipsis);
    }
    if (channel->loading_older) {
        ImGui::SetCursorPos(ImVec2(style.WindowPadding.x, scroll_y + style.WindowPadding.y));
        ImGui::TextColored(palette::dim, "Loading older messages%s", ellipsis);
    }

    // Remember the first message on screen and how far into it the view starts.
    const auto first_visible = static_cast<std::size_t>(std::max(scroll_y, 0.0f) / m.row);
    list.anchor_id = 0;
    for (std::size_t r = first_visible; r < list.layout.row_count() && r < first_visible + 4; ++r) {
        const layout_row& row = list.layout.row(r);
        if (row.pending) break;
        list.anchor_id = channel->messages[row.item].id;
        list.anchor_offset = scroll_y - static_cast<float>(list.layout.first_line_row_of(row.item)) * m.row;
        break;
    }

    // Arrivals while scrolled up are counted for the jump button.
    const message_id newest = channel->messages.empty() ? 0 : channel->messages.back().id;
    if (list.stick_to_bottom) {
        list.unseen = 0;
    } else if (newest > list.newest_seen && list.newest_seen != 0) {
        const auto it =
            std::upper_bound(channel->messages.begin(), channel->messages.end(), list.newest_seen,
                             [](message_id key, const client::message_entry& e) { return key < e.id; });
        list.unseen += static_cast<int>(channel->messages.end() - it);
    }
    list.newest_seen = newest;

    if (!list.stick_to_bottom && scroll_max - scroll_y > m.row) {
        const std::string label = list.unseen > 0
                                      ? std::string(down_arrow) + " " + std::to_string(list.unseen) +
                                            (list.unseen == 1 ? " new message" : " new messages")
                                      : std::string(down_arrow) + " Jump to latest";
        const ImVec2 label_size = ImGui::CalcTextSize(label.c_str());
        const ImVec2 button(label_size.x + 2.0f * style.FramePadding.x,
                            label_size.y + 2.0f * style.FramePadding.y);
        ImGui::SetCursorScreenPos(
            ImVec2(view_min.x + view_size.x - button.x - style.ScrollbarSize - 12.0f * context.scale,
                   view_min.y + view_size.y - button.y - 10.0f * context.scale));
        if (ImGui::Button(label.c_str())) list.jump_to_bottom = true;
    }

    list.last_scroll_y = scroll_y;
    list.view_rect[0] = view_min.x;
    list.view_rect[1] = view_min.y;
    list.view_rect[2] = view_min.x + view_size.x;
    list.view_rect[3] = view_min.y + view_size.y;
    ImGui::EndChild();
    ImGui::PopStyleVar();
}

}  // namespace parley::ui
