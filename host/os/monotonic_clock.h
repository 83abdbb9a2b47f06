// The one clock for deadlines across the ABI: CLOCK_MONOTONIC in nanoseconds,
// the same clock std::chrono::steady_clock reads on Linux.
#pragma once

#include <chrono>
#include <cstdint>

namespace hyperion::os {

inline uint64_t monotonic_now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

inline uint64_t deadline_after(std::chrono::milliseconds timeout) {
  return monotonic_now_ns() + static_cast<uint64_t>(timeout.count()) * 1'000'000ull;
}

}  // namespace hyperion::os
