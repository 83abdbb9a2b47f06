#include "metrics_format.h"

#include <algorithm>
#include <string>

namespace hyperion::plugins::health {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

// q=0.75 -> 750; a malformed q counts as 0 (RFC 9110: 0..1, three decimals).
int quality(std::string_view value) {
  value = trim(value);
  if (value.empty() || value.size() > 5) return 0;
  if (value[0] == '1') return 1000;
  if (value[0] != '0') return 0;
  int q = 0, scale = 100;
  for (size_t i = 2; i < value.size(); ++i, scale /= 10) {
    if (value[i] < '0' || value[i] > '9') return 0;
    q += (value[i] - '0') * scale;
  }
  return (value.size() == 1 || value[1] == '.') ? q : 0;
}

}  // namespace

bool wants_openmetrics(std::string_view accept) {
  int open_metrics = -1, text = -1;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    size_t semi = range.find(';');
    std::string_view type = trim(range.substr(0, semi));
    int q = 1000;
    std::string_view version;
    while (semi != std::string_view::npos) {
      range = range.substr(semi + 1);
      semi = range.find(';');
      std::string_view param = trim(range.substr(0, semi));
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view key = trim(param.substr(0, eq)), value = trim(param.substr(eq + 1));
      if (iequals(key, "q")) q = quality(value);
      if (iequals(key, "version")) version = value;
    }
    if (iequals(type, "application/openmetrics-text") && (version.empty() || version == "1.0.0")) {
      open_metrics = std::max(open_metrics, q);
    } else if (iequals(type, "text/plain") || iequals(type, "text/*") || type == "*/*") {
      text = std::max(text, q);
    }
  }
  return open_metrics > 0 && open_metrics >= text;
}

}  // namespace hyperion::plugins::health
