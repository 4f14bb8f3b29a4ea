// Lines as they are drawn, against renderings worked out by hand from UAX #9 and the
// Arabic joining rules (the forms are those of Unicode's Arabic Presentation Forms-B).

#include "bidi.hpp"

#include <doctest/doctest.h>

#include <string>

using parley::text::needs_bidi;
using parley::text::visual_order;

namespace {

parley::text::visual_line whole(std::string_view paragraph) {
    return visual_order(paragraph, 0, paragraph.size());
}

}  // namespace

TEST_CASE("text without right-to-left letters needs no reordering") {
    CHECK_FALSE(needs_bidi("morning is best"));
    CHECK_FALSE(needs_bidi("Καλημέρα Привет café"));
    CHECK_FALSE(needs_bidi("你好世界 こんにちは 안녕하세요 🎉👍"));
    CHECK(needs_bidi("shalom \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"));   // Hebrew
    CHECK(needs_bidi("\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7"));  // Arabic
    CHECK(needs_bidi("a\xE2\x80\x8F"));                             // U+200F RIGHT-TO-LEFT MARK
    CHECK(needs_bidi("\xEF\xBB\xBB"));                              // U+FEFB, an Arabic presentation form
}

TEST_CASE("a Hebrew line reads right to left and is right-aligned") {
    const auto line = whole("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D");  // שלום
    CHECK(line.text == "\xD7\x9D\xD7\x95\xD7\x9C\xD7\xA9");       // ם ו ל ש, left to right
    CHECK(line.right_to_left);
}

TEST_CASE("Arabic letters join: initial, final, initial, medial, final, drawn right to left") {
    // مرحبا: meem, reh, hah, beh, alef. Reh joins only to its right, so hah starts anew.
    const auto line = whole("\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7");
    // alef final U+FE8E, beh medial U+FE92, hah initial U+FEA3, reh final U+FEAE, meem initial U+FEE3
    CHECK(line.text == "\xEF\xBA\x8E\xEF\xBA\x92\xEF\xBA\xA3\xEF\xBA\xAE\xEF\xBB\xA3");
    CHECK(line.right_to_left);
}

TEST_CASE("lam followed by alef becomes their ligature") {
    CHECK(whole("\xD9\x84\xD8\xA7").text == "\xEF\xBB\xBB");  // لا -> U+FEFB
}

TEST_CASE("a right-to-left run inside a left-to-right message is reversed in place") {
    const auto line = whole("abc \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D def");
    CHECK(line.text == "abc \xD7\x9D\xD7\x95\xD7\x9C\xD7\xA9 def");
    CHECK_FALSE(line.right_to_left);
}

TEST_CASE("numbers keep their order inside right-to-left text, and brackets mirror") {
    // "שלום 123": a right-to-left paragraph; the number stays 123, left of the word.
    CHECK(whole("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D 123").text == "123 \xD7\x9D\xD7\x95\xD7\x9C\xD7\xA9");
    // "(שלום)": reversed, and each bracket mirrored so it still opens towards the word.
    CHECK(whole("(\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D)").text == "(\xD7\x9D\xD7\x95\xD7\x9C\xD7\xA9)");
}

TEST_CASE("each wrapped line of a paragraph is reordered on its own, in the paragraph's direction") {
    // שלום עולם wrapped after the space: the first line holds the first word.
    const std::string paragraph = "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD7\xA2\xD7\x95\xD7\x9C\xD7\x9D";
    const auto first = visual_order(paragraph, 0, 9);
    const auto second = visual_order(paragraph, 9, paragraph.size());
    CHECK(first.right_to_left);
    CHECK(second.right_to_left);
    CHECK(first.text == " \xD7\x9D\xD7\x95\xD7\x9C\xD7\xA9");  // the trailing space ends up at the left
    CHECK(second.text == "\xD7\x9D\xD7\x9C\xD7\x95\xD7\xA2");
    // A left-to-right paragraph that starts with English stays left-aligned on every line.
    const std::string mixed = "hello \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D";
    CHECK_FALSE(visual_order(mixed, 6, mixed.size()).right_to_left);
}

TEST_CASE("bidi controls steer the order and then draw nothing") {
    // RLM before "abc" makes the paragraph right to left; the mark itself is dropped.
    const auto line = whole(
        "\xE2\x80\x8F"
        "abc");
    CHECK(line.right_to_left);
    CHECK(line.text == "abc");
}

TEST_CASE("ranges outside the paragraph are clamped, not read") {
    CHECK(visual_order("abc", 2, 99).text == "c");
    CHECK(visual_order("abc", 5, 9).text.empty());
    CHECK(visual_order("", 0, 0).text.empty());
}
