#include "otlp_json.h"

#include <boost/json.hpp>

namespace hyperion::plugins::tracing {
namespace {

std::string hex(const uint8_t* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

boost::json::object any_value(const AttributeValue& v) {
  switch (v.type) {
    case 1: return {{"intValue", std::to_string(v.int_value)}};
    case 2: return {{"doubleValue", v.double_value}};
    case 3: return {{"boolValue", v.int_value != 0}};
    default: return {{"stringValue", v.string_value}};
  }
}

boost::json::array attributes(const Attributes& attrs) {
  boost::json::array out;
  for (const auto& [key, value] : attrs) out.push_back(boost::json::object{{"key", key}, {"value", any_value(value)}});
  return out;
}

boost::json::object span_json(const SpanRecord& s) {
  boost::json::object o;
  o["traceId"] = hex(s.trace_id, 16);
  o["spanId"] = hex(s.span_id, 8);
  if (s.has_parent) o["parentSpanId"] = hex(s.parent_span_id, 8);
  if (!s.trace_state.empty()) o["traceState"] = s.trace_state;
  o["name"] = s.name;
  o["kind"] = s.kind;
  o["startTimeUnixNano"] = std::to_string(s.start_unix_ns);
  o["endTimeUnixNano"] = std::to_string(s.end_unix_ns);
  o["attributes"] = attributes(s.attributes);
  if (s.dropped_attributes != 0) o["droppedAttributesCount"] = s.dropped_attributes;
  boost::json::array events;
  for (const auto& e : s.events) {
    events.push_back(boost::json::object{
        {"timeUnixNano", std::to_string(e.time_unix_ns)}, {"name", e.name}, {"attributes", attributes(e.attributes)}});
  }
  o["events"] = std::move(events);
  if (s.dropped_events != 0) o["droppedEventsCount"] = s.dropped_events;
  boost::json::object status{{"code", s.status_code}};
  if (!s.status_message.empty()) status["message"] = s.status_message;
  o["status"] = std::move(status);
  o["flags"] = static_cast<int64_t>(s.flags);
  return o;
}

}  // namespace

std::string otlp_json(const Resource& resource, const std::vector<SpanRecord>& spans) {
  Attributes resource_attrs{{"service.name", {0, resource.service_name, 0, 0}}};
  if (!resource.service_instance.empty()) {
    resource_attrs.push_back({"service.instance.id", {0, resource.service_instance, 0, 0}});
  }
  resource_attrs.push_back({"telemetry.sdk.name", {0, "hyperion", 0, 0}});
  resource_attrs.push_back({"telemetry.sdk.language", {0, "cpp", 0, 0}});
  boost::json::array span_array;
  for (const auto& s : spans) span_array.push_back(span_json(s));
  boost::json::object scope_spans{{"scope", {{"name", "hyperion"}}}, {"spans", std::move(span_array)}};
  boost::json::object resource_spans{{"resource", {{"attributes", attributes(resource_attrs)}}},
                                     {"scopeSpans", boost::json::array{std::move(scope_spans)}}};
  return boost::json::serialize(boost::json::object{{"resourceSpans", boost::json::array{std::move(resource_spans)}}});
}

}  // namespace hyperion::plugins::tracing
