// The tracing plugin's configuration (plugin.json has the schema; the host has
// validated it and filled the defaults). The sampler and the span limits are
// dynamic; the exporter and the batch settings are static (a change restarts
// the instance, which flushes what it holds first).
#pragma once

#include <boost/json.hpp>

#include <memory>
#include <string>

#include "batch_processor.h"
#include "exporter.h"
#include "sampler.h"

namespace hyperion::plugins::tracing {

struct Limits {
  size_t max_attributes = 128;
  size_t max_events = 128;
  size_t max_attribute_length = 4096;
};

struct TracingConfig {
  std::string service_name;
  std::string exporter_type;  // "otlp_http" or "file"
  OtlpHttpSettings otlp;
  std::string file_path;
  BatchSettings batch;
  std::shared_ptr<const Sampler> sampler;
  std::shared_ptr<const Limits> limits;
};

// Throws hyperion::Error naming the field for what the schema cannot say.
TracingConfig parse_config(const boost::json::object& config);

}  // namespace hyperion::plugins::tracing
