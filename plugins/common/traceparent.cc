#include "traceparent.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace hyperion::plugins {
namespace {

bool lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

// Fills `out` with `digits` random lower-case hex digits, never all zero.
void fill_random_hex(char* out, size_t digits) {
  // One generator per thread: ids need to be unique, not secret.
  thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  for (size_t done = 0; done < digits;) {
    uint64_t bits = engine();
    for (int i = 0; i < 16 && done < digits; ++i, bits >>= 4) out[done++] = kHex[bits & 0xf];
  }
  if (digits > 0 && all_zero(std::string_view(out, digits))) out[digits - 1] = '1';  // all-zero ids are invalid
}

}  // namespace

std::string random_hex(size_t digits) {
  std::string out(digits, '0');
  fill_random_hex(out.data(), digits);
  return out;
}

std::string TraceContext::header() const { return "00-" + trace_id + "-" + span_id + "-" + flags; }

namespace {

// version "-" trace-id "-" parent-id "-" flags; a future version may append
// "-..." fields, which version 00 must not have.
bool valid_traceparent(std::string_view v) {
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  std::string_view version = v.substr(0, 2), trace = v.substr(3, 32), span = v.substr(36, 16),
                   flags = v.substr(53, 2);
  if (!lower_hex(version) || version == "ff" || !lower_hex(trace) || !lower_hex(span) || !lower_hex(flags)) {
    return false;
  }
  if (version == "00" && v.size() != 55) return false;
  if (version != "00" && v.size() > 55 && v[55] != '-') return false;
  return !all_zero(trace) && !all_zero(span);
}

}  // namespace

bool parse_traceparent(std::string_view v, TraceContext& out) {
  if (!valid_traceparent(v)) return false;
  out.trace_id = v.substr(3, 32);
  out.parent_span_id = v.substr(36, 16);
  out.flags = v.substr(53, 2);
  return true;
}

TraceContext continue_or_start(std::string_view incoming) {
  TraceContext t;
  if (!parse_traceparent(incoming, t)) {
    t.trace_id = random_hex(32);
    t.parent_span_id.clear();
    t.flags = "01";
  }
  t.span_id = random_hex(16);
  return t;
}

void write_child_traceparent(std::string_view incoming, TraceparentHeader& out) {
  // "00-" trace(32) "-" span(16) "-" flags(2), the layout header() writes.
  constexpr std::string_view kVersion = "00-";
  std::copy(kVersion.begin(), kVersion.end(), out.begin());
  const bool continued = valid_traceparent(incoming);
  if (continued) {
    std::copy_n(incoming.begin() + 3, 32, out.begin() + 3);
  } else {
    fill_random_hex(out.data() + 3, 32);
  }
  out[35] = '-';
  fill_random_hex(out.data() + 36, 16);
  out[52] = '-';
  out[53] = continued ? incoming[53] : '0';
  out[54] = continued ? incoming[54] : '1';
}

}  // namespace hyperion::plugins
