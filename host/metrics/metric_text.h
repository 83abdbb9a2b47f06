// The small text rules both expositions and the recorder share: names, label
// value escaping and number formatting.
#pragma once

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace hyperion::metrics {

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names, without ':' for label names.
inline bool valid_metric_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Backslash, double quote and newline escaped, as both formats want in label
// values (and OpenMetrics in HELP text).
inline void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

// Shortest text that reads back as the same double (0.025, not
// 0.025000000000000001); +Inf, -Inf and NaN as both formats spell them.
inline std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

}  // namespace hyperion::metrics
