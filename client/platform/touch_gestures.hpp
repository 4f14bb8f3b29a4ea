#pragma once
// What a finger on a touch screen means, for a UI that only knows a mouse: a drag scrolls
// what is under it (and a flick keeps it going, slowing down), a long press is a right
// click (a message's menu), a tap is left to the browser's own mouse emulation. Plain C++
// over points and times, so the rules are tested without a browser; touch_web.cpp feeds
// it the page's touch events and applies what it decides to ImGui.

#include <optional>

namespace parley::platform {

class touch_gestures {
public:
    /// A finger moving less than this (pixels) is still a press, not a drag.
    static constexpr float slop = 10.0f;
    /// A press held this long without moving is a long press.
    static constexpr double long_press_ms = 500.0;
    /// Each frame a flick keeps this share of its speed; it stops below `min_speed`.
    static constexpr float friction = 0.92f;
    static constexpr float min_speed = 0.5f;  ///< pixels a frame

    struct point {
        float x = 0;
        float y = 0;
    };

    /// `momentum`: whether a flick carries on after the finger lifts (false when the user
    /// asked for reduced motion).
    explicit touch_gestures(bool momentum = true) : momentum_(momentum) {}

    void start(point at, double ms);
    void move(point at, double ms);
    void end(double ms);
    /// Another finger, or the browser took the touch: forget this one.
    void cancel();

    /// Pixels to scroll by since the last call (positive: the finger moved down, so the
    /// content follows it and shows what is above), flick included; advances the flick by
    /// one frame.
    float take_scroll();
    /// Where a long press happened, once: it is answered at the finger's lift.
    std::optional<point> take_long_press();
    /// Where the finger is while it drags (what the scroll applies to), if it does.
    std::optional<point> dragging_at() const;
    /// A flick is still moving: frames must keep coming.
    bool animating() const { return speed_ != 0.0f; }

private:
    bool momentum_;
    bool down_ = false;
    bool dragging_ = false;
    point start_{};
    point last_{};
    double start_ms_ = 0;
    double last_ms_ = 0;
    float pending_ = 0.0f;  ///< drag pixels not yet taken
    float speed_ = 0.0f;    ///< flick pixels a frame
    float recent_ = 0.0f;   ///< the drag's pixels per millisecond, smoothed
    std::optional<point> long_press_;
};

}  // namespace parley::platform
