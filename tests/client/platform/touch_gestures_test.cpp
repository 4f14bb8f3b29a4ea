#include "touch_gestures.hpp"

#include <doctest/doctest.h>

using parley::platform::touch_gestures;

TEST_CASE("a drag scrolls by the finger's movement, the slop included") {
    touch_gestures touch;
    touch.start({100, 100}, 0);
    touch.move({100, 105}, 10);  // within the slop: still a press
    CHECK(touch.take_scroll() == 0.0f);
    CHECK_FALSE(touch.dragging_at());
    touch.move({100, 130}, 20);
    CHECK(touch.take_scroll() == doctest::Approx(30.0f));
    REQUIRE(touch.dragging_at());
    CHECK(touch.dragging_at()->y == 130.0f);
    touch.move({100, 110}, 30);  // back up
    CHECK(touch.take_scroll() == doctest::Approx(-20.0f));
}

TEST_CASE("a flick carries on after the lift, slowing down until it stops") {
    touch_gestures touch;
    touch.start({0, 0}, 0);
    for (int i = 1; i <= 5; ++i) touch.move({0, 20.0f * static_cast<float>(i)}, 16.0 * i);
    (void)touch.take_scroll();
    touch.end(85);
    REQUIRE(touch.animating());
    const float first = touch.take_scroll();
    CHECK(first > 15.0f);
    const float second = touch.take_scroll();
    CHECK(second < first);
    CHECK(second > 0.0f);
    int frames = 0;
    while (touch.animating() && frames < 1000) {
        (void)touch.take_scroll();
        ++frames;
    }
    CHECK_FALSE(touch.animating());
    CHECK(frames < 200);
    // A finger put down on a moving list stops it.
    touch.start({0, 0}, 2000);
    for (int i = 1; i <= 5; ++i) touch.move({0, 20.0f * static_cast<float>(i)}, 2000 + 16.0 * i);
    touch.end(2085);
    touch.start({0, 0}, 2100);
    CHECK_FALSE(touch.animating());
}

TEST_CASE("no flick when the finger stopped before lifting, or when motion is reduced") {
    touch_gestures touch;
    touch.start({0, 0}, 0);
    touch.move({0, 100}, 50);
    touch.end(400);
    CHECK_FALSE(touch.animating());
    touch_gestures calm(false);
    calm.start({0, 0}, 0);
    for (int i = 1; i <= 5; ++i) calm.move({0, 20.0f * static_cast<float>(i)}, 16.0 * i);
    calm.end(85);
    CHECK_FALSE(calm.animating());
    CHECK(calm.take_scroll() == doctest::Approx(100.0f));  // the drag itself still scrolled
}

TEST_CASE("a press held without moving is a long press, reported once at the lift") {
    touch_gestures touch;
    touch.start({40, 60}, 0);
    touch.move({42, 61}, 300);
    touch.end(650);
    const auto press = touch.take_long_press();
    REQUIRE(press);
    CHECK(press->x == 40.0f);
    CHECK(press->y == 60.0f);
    CHECK_FALSE(touch.take_long_press());
    // A short tap is not one, nor is a drag however long.
    touch.start({0, 0}, 1000);
    touch.end(1100);
    CHECK_FALSE(touch.take_long_press());
    touch.start({0, 0}, 2000);
    touch.move({0, 50}, 2100);
    touch.end(2900);
    CHECK_FALSE(touch.take_long_press());
}

TEST_CASE("a cancelled touch neither scrolls nor presses") {
    touch_gestures touch;
    touch.start({0, 0}, 0);
    touch.move({0, 40}, 10);
    touch.cancel();
    CHECK(touch.take_scroll() == 0.0f);
    touch.end(900);
    CHECK_FALSE(touch.take_long_press());
}
