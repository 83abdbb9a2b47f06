// How long a client plugin waits before its next retry.
#pragma once

#include <chrono>
#include <random>

namespace hyperion::plugins {

// Exponential backoff with full jitter: uniform in
// [min, min(max, min * 2^retry)] for the `retry`-th retry (0-based).
std::chrono::milliseconds backoff(int retry, std::chrono::milliseconds min, std::chrono::milliseconds max,
                                  std::mt19937_64& rng);

}  // namespace hyperion::plugins
