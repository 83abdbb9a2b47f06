// What the tracing plugin keeps of a sampled span until it is exported: the
// OTLP span's fields, owned.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hyperion::plugins::tracing {

struct AttributeValue {
  int32_t type = 0;  // HYPERION_ATTR_*
  std::string string_value;
  int64_t int_value = 0;
  double double_value = 0;
};

using Attributes = std::vector<std::pair<std::string, AttributeValue>>;

struct SpanEvent {
  std::string name;
  uint64_t time_unix_ns = 0;
  Attributes attributes;
};

struct SpanRecord {
  uint8_t trace_id[16]{};
  uint8_t span_id[8]{};
  uint8_t parent_span_id[8]{};
  bool has_parent = false;
  uint8_t flags = 1;
  std::string trace_state;
  std::string name;
  int32_t kind = 1;
  uint64_t start_unix_ns = 0;
  uint64_t end_unix_ns = 0;
  Attributes attributes;
  std::vector<SpanEvent> events;
  int32_t status_code = 0;
  std::string status_message;
  uint32_t dropped_attributes = 0;
  uint32_t dropped_events = 0;
};

}  // namespace hyperion::plugins::tracing
