#include "traceparent.h"

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

}  // namespace

std::string random_hex(size_t digits) {
  // One generator per thread: ids need to be unique, not secret.
  thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string out;
  out.reserve(digits);
  while (out.size() < digits) {
    uint64_t bits = engine();
    for (int i = 0; i < 16 && out.size() < digits; ++i, bits >>= 4) out.push_back(kHex[bits & 0xf]);
  }
  if (all_zero(out)) out.back() = '1';  // all-zero ids are invalid
  return out;
}

std::string TraceContext::header() const { return "00-" + trace_id + "-" + span_id + "-" + flags; }

bool parse_traceparent(std::string_view v, TraceContext& out) {
  // version "-" trace-id "-" parent-id "-" flags; a future version may append
  // "-..." fields, which version 00 must not have.
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  std::string_view version = v.substr(0, 2), trace = v.substr(3, 32), span = v.substr(36, 16),
                   flags = v.substr(53, 2);
  if (!lower_hex(version) || version == "ff" || !lower_hex(trace) || !lower_hex(span) || !lower_hex(flags)) {
    return false;
  }
  if (version == "00" && v.size() != 55) return false;
  if (version != "00" && v.size() > 55 && v[55] != '-') return false;
  if (all_zero(trace) || all_zero(span)) return false;
  out.trace_id = trace;
  out.parent_span_id = span;
  out.flags = flags;
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

}  // namespace hyperion::plugins
