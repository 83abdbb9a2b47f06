#include "tracing_config.h"

#include <hyperion/plugin.hpp>

namespace hyperion::plugins::tracing {
namespace {

int64_t integer(const boost::json::object& o, const char* key) { return o.at(key).to_number<int64_t>(); }

}  // namespace

TracingConfig parse_config(const boost::json::object& config) {
  TracingConfig c;
  c.service_name = std::string(config.at("service_name").as_string());
  const auto& exporter = config.at("exporter").as_object();
  c.exporter_type = std::string(exporter.at("type").as_string());
  c.otlp.endpoint = std::string(exporter.at("endpoint").as_string());
  c.otlp.timeout = std::chrono::milliseconds(integer(exporter, "timeout_ms"));
  for (const auto& [k, v] : exporter.at("headers").as_object()) c.otlp.headers.emplace_back(k, v.as_string());
  c.file_path = std::string(exporter.at("path").as_string());
  const auto& batch = config.at("batch").as_object();
  c.batch.max_queue = static_cast<size_t>(integer(batch, "max_queue"));
  c.batch.max_export_batch = static_cast<size_t>(integer(batch, "max_export_batch"));
  c.batch.schedule_delay = std::chrono::milliseconds(integer(batch, "schedule_delay_ms"));
  c.batch.max_attempts = static_cast<uint32_t>(integer(exporter, "max_attempts"));
  if (c.batch.max_export_batch > c.batch.max_queue) {
    throw Error(HYPERION_ERR_INVALID_ARGUMENT, "batch.max_export_batch: must not be larger than batch.max_queue");
  }
  const auto& sampler = config.at("sampler").as_object();
  Sampler::Type type{};
  if (!Sampler::parse_type(std::string(sampler.at("type").as_string()), type)) {
    throw Error(HYPERION_ERR_INVALID_ARGUMENT, "sampler.type: unknown");  // the schema's enum says which
  }
  c.sampler = std::make_shared<Sampler>(type, sampler.at("ratio").to_number<double>());
  const auto& limits = config.at("limits").as_object();
  auto l = std::make_shared<Limits>();
  l->max_attributes = static_cast<size_t>(integer(limits, "max_attributes"));
  l->max_events = static_cast<size_t>(integer(limits, "max_events"));
  l->max_attribute_length = static_cast<size_t>(integer(limits, "max_attribute_length"));
  c.limits = std::move(l);
  return c;
}

}  // namespace hyperion::plugins::tracing
