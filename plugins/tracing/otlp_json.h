// Spans as an OTLP/HTTP JSON request body (ExportTraceServiceRequest in the
// protobuf JSON mapping the OTLP spec prescribes: ids as hex strings, 64-bit
// integers as decimal strings, enums as numbers).
#pragma once

#include <string>
#include <vector>

#include "span_record.h"

namespace hyperion::plugins::tracing {

struct Resource {
  std::string service_name;
  std::string service_instance;  // host name or app, optional
};

std::string otlp_json(const Resource& resource, const std::vector<SpanRecord>& spans);

}  // namespace hyperion::plugins::tracing
