// W3C Trace Context (https://www.w3.org/TR/trace-context/): continue the trace a
// client sent in its "traceparent" header with a new span for the server's side
// of the call, or start a new trace when it sent none or an invalid one.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace hyperion::plugins {

struct TraceContext {
  std::string trace_id;        // 32 lower-case hex digits
  std::string parent_span_id;  // the client's span; empty for a new trace
  std::string span_id;         // this server span: 16 lower-case hex digits
  std::string flags;           // 2 hex digits
  // "00-<trace_id>-<span_id>-<flags>": what the handler passes on.
  [[nodiscard]] std::string header() const;
};

// Parses a traceparent header value; returns false when it is not valid.
bool parse_traceparent(std::string_view value, TraceContext& out);

// `digits` random lower-case hex digits, never all zero (trace, span and request ids).
std::string random_hex(size_t digits);

// Continues `incoming` when it is valid, else starts a new sampled trace.
TraceContext continue_or_start(std::string_view incoming);

// The traceparent header of continue_or_start(incoming), written into a buffer:
// what a client that sends a child span on every call uses, allocating nothing.
using TraceparentHeader = std::array<char, 55>;
void write_child_traceparent(std::string_view incoming, TraceparentHeader& out);

}  // namespace hyperion::plugins
