#include "base/rfc3339.h"

#include <cstdio>
#include <ctime>

namespace hyperion {

std::string format_rfc3339_utc(std::chrono::system_clock::time_point time) {
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(time);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds).count();
  std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[40];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", date, static_cast<int>(ms));
  return out;
}

}  // namespace hyperion
