#include "log/guarded.hpp"

#include <doctest/doctest.h>

#include <new>
#include <stdexcept>
#include <string>

using parley::server::guarded;

TEST_CASE("guarded runs the body and not the recovery when nothing throws") {
    int ran = 0, recovered = 0;
    CHECK(guarded(
        "test", [&] { ++ran; }, [&] { ++recovered; }));
    CHECK(ran == 1);
    CHECK(recovered == 0);
}

TEST_CASE("guarded stops what a handler throws and runs the recovery instead") {
    int recovered = 0;
    CHECK(!guarded(
        "test", [] { throw std::bad_alloc(); }, [&] { ++recovered; }));
    CHECK(!guarded(
        "test", [] { (void)std::string().at(1); }, [&] { ++recovered; }));  // std::out_of_range
    CHECK(!guarded(
        "test", [] { throw std::length_error("basic_string::_M_create"); }, [&] { ++recovered; }));
    CHECK(!guarded(
        "test", [] { throw 42; }, [&] { ++recovered; }));  // not even a std::exception
    CHECK(recovered == 4);
}

TEST_CASE("guarded swallows a recovery that throws too") {
    bool threw_out = false;
    try {
        guarded(
            "test", [] { throw std::runtime_error("body"); }, [] { throw std::runtime_error("recovery"); });
    } catch (...) {
        threw_out = true;
    }
    CHECK(!threw_out);
}

TEST_CASE("guarded is noexcept, so a handler wrapped in it cannot end io_context::run") {
    static_assert(noexcept(guarded(
        "x", [] {}, [] {})));
    CHECK(true);
}
