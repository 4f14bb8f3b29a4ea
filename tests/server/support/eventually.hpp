#pragma once
// Waits for something another thread or process makes true, bounded in time: for the
// tests of what crosses threads or servers, where a fixed sleep would be too short on a
// busy machine or too long on an idle one.

#include <chrono>
#include <thread>

namespace parley::test {

/// Checks `check()` every 10 ms until it holds or `limit` passed; whether it held.
template <class Check>
bool eventually(Check check, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (check()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return check();
}

}  // namespace parley::test
