// RFC 3339 timestamps in UTC with milliseconds ("2026-11-22T00:23:47.041Z"): the
// one format for times the host writes (log lines, events, state).
#pragma once

#include <chrono>
#include <string>

namespace hyperion {

std::string format_rfc3339_utc(std::chrono::system_clock::time_point time);

}  // namespace hyperion
