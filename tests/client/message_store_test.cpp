#include "model/message_store.hpp"

#include <doctest/doctest.h>

using namespace parley;
using namespace parley::client;

namespace {

message_entry entry(message_id id, std::string text = "t") {
    message_entry e;
    e.id = id;
    e.text = std::move(text);
    return e;
}

std::vector<message_id> ids_of(const std::vector<message_entry>& list) {
    std::vector<message_id> out;
    for (const auto& e : list) out.push_back(e.id);
    return out;
}

}  // namespace

TEST_CASE("insert_messages appends newer messages and merges older ones in id order") {
    std::vector<message_entry> list;
    CHECK(insert_messages(list, {entry(5), entry(6)}) == 2);
    CHECK(insert_messages(list, {entry(9), entry(7)}) == 2);
    CHECK(insert_messages(list, {entry(2), entry(8), entry(1)}) == 3);
    CHECK(ids_of(list) == std::vector<message_id>{1, 2, 5, 6, 7, 8, 9});
}

TEST_CASE("insert_messages drops duplicates within one batch") {
    std::vector<message_entry> list;
    CHECK(insert_messages(list, {entry(3), entry(3), entry(4)}) == 2);
    CHECK(ids_of(list) == std::vector<message_id>{3, 4});
}

TEST_CASE("find_message and erase_message work by id") {
    std::vector<message_entry> list;
    insert_messages(list, {entry(1, "a"), entry(4, "b"), entry(9, "c")});
    REQUIRE(find_message(list, 4) != nullptr);
    CHECK(find_message(list, 4)->text == "b");
    CHECK(find_message(list, 5) == nullptr);
    CHECK(erase_message(list, 4));
    CHECK_FALSE(erase_message(list, 4));
    CHECK(ids_of(list) == std::vector<message_id>{1, 9});
}

TEST_CASE("trim_oldest keeps the newest entries") {
    std::vector<message_entry> list;
    insert_messages(list, {entry(1), entry(2), entry(3), entry(4)});
    CHECK(trim_oldest(list, 2) == 2);
    CHECK(ids_of(list) == std::vector<message_id>{3, 4});
    CHECK(trim_oldest(list, 10) == 0);
}

TEST_CASE("a channel of 100,000 messages stays compact and ordered when older pages arrive") {
    // Two strings and three numbers: no per-message allocation beyond long texts.
    CHECK(sizeof(message_entry) <= 3 * sizeof(std::int64_t) + 2 * sizeof(std::string) + 8);
    std::vector<message_entry> list;
    for (message_id id = 1001; id <= 101'000; ++id) {
        std::vector<message_entry> one;
        one.push_back(entry(id, "hello"));
        insert_messages(list, std::move(one));
    }
    std::vector<message_entry> older;
    for (message_id id = 801; id <= 1000; ++id) older.push_back(entry(id));
    CHECK(insert_messages(list, std::move(older)) == 200);
    REQUIRE(list.size() == 100'200);
    CHECK(list.front().id == 801);
    CHECK(list.back().id == 101'000);
    for (std::size_t i = 1; i < list.size(); ++i) REQUIRE(list[i - 1].id < list[i].id);
}

TEST_CASE("to_entry keeps what the view draws") {
    chat_message m;
    m.id = 3;
    m.user = "ann";
    m.text = "hi";
    m.timestamp = 77;
    m.edited_at = 99;
    const message_entry e = to_entry(m, true);
    CHECK(e.id == 3);
    CHECK(e.user == "ann");
    CHECK(e.text == "hi");
    CHECK(e.timestamp == 77);
    CHECK(e.edited_at == 99);
    CHECK(e.mine);
}
