#include "touch_gestures.hpp"

#include <cmath>
#include <utility>

namespace parley::platform {
namespace {

/// A frame at 60 Hz, for turning the finger's speed at lift into pixels a frame.
constexpr double frame_ms = 1000.0 / 60.0;

}  // namespace

void touch_gestures::start(point at, double ms) {
    down_ = true;
    dragging_ = false;
    start_ = last_ = at;
    start_ms_ = last_ms_ = ms;
    speed_ = 0.0f;  // a finger on a moving list stops it
    recent_ = 0.0f;
}

void touch_gestures::move(point at, double ms) {
    if (!down_) return;
    if (!dragging_ && std::hypot(at.x - start_.x, at.y - start_.y) < slop) return;
    if (!dragging_) {
        dragging_ = true;
        last_ = start_;  // the slop scrolls too: the content stays under the finger
    }
    const float dy = at.y - last_.y;
    pending_ += dy;
    const double dt = ms - last_ms_;
    if (dt > 0) recent_ = 0.6f * static_cast<float>(dy / dt) + 0.4f * recent_;
    last_ = at;
    last_ms_ = ms;
}

void touch_gestures::end(double ms) {
    if (!down_) return;
    down_ = false;
    if (dragging_) {
        // A finger that stopped before lifting does not flick.
        const bool still = ms - last_ms_ > 100.0;
        speed_ = momentum_ && !still ? static_cast<float>(recent_ * frame_ms) : 0.0f;
        if (std::fabs(speed_) < min_speed) speed_ = 0.0f;
    } else if (ms - start_ms_ >= long_press_ms) {
        long_press_ = start_;
    }
    dragging_ = false;
}

void touch_gestures::cancel() {
    down_ = false;
    dragging_ = false;
    pending_ = 0.0f;
    speed_ = 0.0f;
}

float touch_gestures::take_scroll() {
    float scroll = std::exchange(pending_, 0.0f);
    if (speed_ != 0.0f) {
        scroll += speed_;
        speed_ *= friction;
        if (std::fabs(speed_) < min_speed) speed_ = 0.0f;
    }
    return scroll;
}

std::optional<touch_gestures::point> touch_gestures::take_long_press() {
    return std::exchange(long_press_, std::nullopt);
}

std::optional<touch_gestures::point> touch_gestures::dragging_at() const {
    if (dragging_ || speed_ != 0.0f) return last_;
    return std::nullopt;
}

}  // namespace parley::platform
