#include "message_layout.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using parley::client::channel_state;
using parley::client::message_entry;
using parley::client::pending_message;
using parley::ui::layout_row;
using parley::ui::message_layout;
using parley::ui::row_kind;

// Every byte is 1 unit wide: a line of width 10 holds 10 bytes (ASCII in these tests).
const parley::ui::wrap_function fixed_wrap = [](std::string_view text, float width) {
    return std::min(text.size(), static_cast<std::size_t>(width));
};

message_entry entry(parley::message_id id, std::string user, std::string text, parley::unix_ms at) {
    message_entry m;
    m.id = id;
    m.user = std::move(user);
    m.text = std::move(text);
    m.timestamp = at;
    return m;
}

std::vector<row_kind> kinds(const message_layout& layout) {
    std::vector<row_kind> out;
    for (std::size_t i = 0; i < layout.row_count(); ++i) out.push_back(layout.row(i).kind);
    return out;
}

std::string line_text(const channel_state& channel, const message_layout& layout, std::size_t row) {
    const layout_row& r = layout.row(row);
    const std::string& text = r.pending ? channel.pending[r.item].text : channel.messages[r.item].text;
    return text.substr(r.begin, r.end - r.begin);
}

constexpr parley::unix_ms minute = 60'000;

}  // namespace

TEST_CASE("messages from one author within five minutes share one header") {
    channel_state channel;
    channel.messages = {entry(1, "ann", "a", 0), entry(2, "ann", "b", minute),
                        entry(3, "bob", "c", 2 * minute), entry(4, "bob", "d", 20 * minute)};
    message_layout layout;
    layout.update(channel, "me", 100, 1, fixed_wrap);
    const std::vector<row_kind> expected = {
        row_kind::header, row_kind::line,   row_kind::line,   // ann x2
        row_kind::gap,    row_kind::header, row_kind::line,   // bob
        row_kind::gap,    row_kind::header, row_kind::line};  // bob, later
    CHECK(kinds(layout) == expected);
}

TEST_CASE("group continuation ignores the case of the author's name") {
    CHECK(parley::ui::continues_group("Ann", 0, "ann", minute));
    CHECK_FALSE(parley::ui::continues_group("ann", 0, "ann", 5 * minute));
    CHECK_FALSE(parley::ui::continues_group("ann", minute, "ann", 0));  // clock went backwards
}

TEST_CASE("text wraps at the width and breaks at newlines, keeping empty lines") {
    channel_state channel;
    channel.messages = {entry(1, "ann", "0123456789abcde\n\nxyz", 0)};
    message_layout layout;
    layout.update(channel, "me", 10, 1, fixed_wrap);
    REQUIRE(layout.row_count() == 5);  // header, "0123456789", "abcde", "", "xyz"
    CHECK(line_text(channel, layout, 1) == "0123456789");
    CHECK(layout.row(1).first_line);
    CHECK(line_text(channel, layout, 2) == "abcde");
    CHECK_FALSE(layout.row(2).first_line);
    CHECK(line_text(channel, layout, 3).empty());
    CHECK(line_text(channel, layout, 4) == "xyz");
}

TEST_CASE("a wrapped line does not start with the space it broke at") {
    channel_state channel;
    channel.messages = {entry(1, "ann", "hello     world", 0)};
    message_layout layout;
    layout.update(channel, "me", 6, 1, fixed_wrap);
    REQUIRE(layout.row_count() == 3);
    CHECK(line_text(channel, layout, 1) == "hello ");
    CHECK(line_text(channel, layout, 2) == "world");
}

TEST_CASE("a line never ends inside a UTF-8 sequence, even when the wrapper says zero") {
    channel_state channel;
    channel.messages = {entry(1, "ann", "\xCE\xB1\xCE\xB2", 0)};  // αβ
    const parley::ui::wrap_function nothing_fits = [](std::string_view, float) { return std::size_t{0}; };
    message_layout layout;
    layout.update(channel, "me", 1, 1, nothing_fits);
    REQUIRE(layout.row_count() == 3);
    CHECK(line_text(channel, layout, 1) == "\xCE\xB1");
    CHECK(line_text(channel, layout, 2) == "\xCE\xB2");
}

TEST_CASE("new messages append rows without laying out the rest again") {
    channel_state channel;
    for (int i = 1; i <= 100; ++i)
        channel.messages.push_back(entry(i, i % 2 ? "ann" : "bob", "m", i * minute));
    message_layout layout;
    layout.update(channel, "me", 50, 1, fixed_wrap);
    CHECK(layout.full_layouts() == 1);
    const std::size_t before = layout.row_count();
    channel.messages.push_back(entry(101, "bob", "new", 101 * minute));
    CHECK(layout.update(channel, "me", 50, 1, fixed_wrap));
    CHECK(layout.full_layouts() == 1);
    // Message 100 is bob's, 99 minutes after... each message starts a group here (the
    // authors alternate), but 101 follows bob's 100 a minute later: just one more line.
    CHECK(layout.row_count() == before + 1);
}

TEST_CASE("older history prepends rows and keeps each message's first line findable") {
    channel_state channel;
    channel.messages = {entry(10, "ann", "ten", 10 * minute), entry(11, "bob", "eleven", 11 * minute)};
    message_layout layout;
    layout.update(channel, "me", 50, 1, fixed_wrap);
    channel.messages.insert(channel.messages.begin(),
                            {entry(8, "ann", "eight", 9 * minute), entry(9, "ann", "nine", 10 * minute)});
    layout.update(channel, "me", 50, 1, fixed_wrap);
    CHECK(layout.full_layouts() == 1);
    // ann 8, ann 9 and ann 10 are now one group: ten lost its header.
    const std::vector<row_kind> expected = {row_kind::header, row_kind::line, row_kind::line,
                                            row_kind::line,   row_kind::gap,  row_kind::header,
                                            row_kind::line};
    CHECK(kinds(layout) == expected);
    CHECK(line_text(channel, layout, layout.first_line_row_of(2)) == "ten");
    CHECK(line_text(channel, layout, layout.first_line_row_of(3)) == "eleven");
    CHECK(layout.row(layout.first_line_row_of(3)).item == 3);
}

TEST_CASE("an edit in the middle or a new width lays everything out again") {
    channel_state channel;
    channel.messages = {entry(1, "ann", "short", 0), entry(2, "bob", "text", minute)};
    message_layout layout;
    layout.update(channel, "me", 50, 1, fixed_wrap);
    channel.messages[0].text = "a much longer text than before";
    channel.messages[0].edited_at = 5;
    layout.update(channel, "me", 10, 1, fixed_wrap);
    CHECK(layout.full_layouts() == 2);
    CHECK(layout.row_count() == 7);  // header + 3 lines, gap, header + 1 line
    layout.update(channel, "me", 100, 1, fixed_wrap);
    CHECK(layout.full_layouts() == 3);
}

TEST_CASE("pending messages follow the delivered ones and join the reader's last group") {
    channel_state channel;
    channel.messages = {entry(1, "me", "delivered", 0)};
    pending_message p;
    p.nonce = "n1";
    p.text = "on its way";
    p.created_ms = minute;
    channel.pending = {p};
    message_layout layout;
    layout.update(channel, "me", 50, 1, fixed_wrap);
    REQUIRE(layout.row_count() == 3);
    CHECK(layout.row(2).pending);
    CHECK(layout.row(2).kind == row_kind::line);
    CHECK(line_text(channel, layout, 2) == "on its way");
    channel.pending.clear();
    channel.messages.push_back(entry(2, "me", "on its way", minute));
    layout.update(channel, "me", 50, 1, fixed_wrap);
    CHECK(layout.row_count() == 3);
    CHECK_FALSE(layout.row(2).pending);
}

TEST_CASE("an unchanged model revision at the same width skips the update entirely") {
    channel_state channel;
    channel.messages = {entry(1, "ann", "a", 0)};
    message_layout layout;
    layout.update(channel, "me", 50, 1, fixed_wrap, 7);
    const std::size_t rows = layout.row_count();
    channel.messages.push_back(entry(2, "bob", "b", minute));
    CHECK_FALSE(layout.update(channel, "me", 50, 1, fixed_wrap, 7));
    CHECK(layout.row_count() == rows);
    CHECK(layout.update(channel, "me", 50, 1, fixed_wrap, 8));
    CHECK(layout.row_count() > rows);
}
