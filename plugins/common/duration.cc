#include "duration.h"

#include <hyperion/plugin.hpp>

#include <charconv>
#include <stdexcept>

namespace hyperion::plugins {

std::chrono::milliseconds parse_duration(std::string_view text) {
  using Millis = std::chrono::milliseconds;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) throw std::invalid_argument("no number");
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, n);
  if (ec != std::errc() || end != text.data() + digits) throw std::invalid_argument("bad number");
  std::string_view unit = text.substr(digits);
  if (unit == "ms") return Millis(n);
  if (unit == "s") return Millis(n * 1000);
  if (unit == "m") return Millis(n * 60'000);
  if (unit == "h") return Millis(n * 3'600'000);
  throw std::invalid_argument("unknown unit");
}

std::chrono::milliseconds duration_field(const boost::json::object& o, const char* key, const std::string& where) {
  try {
    return parse_duration(o.at(key).as_string());
  } catch (const std::exception&) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, where + key + ": not a duration like \"250ms\" or \"3s\"");
  }
}

}  // namespace hyperion::plugins
