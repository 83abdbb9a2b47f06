#include "server_config.h"

namespace hyperion::plugins::grpc_server {
namespace {

int integer(const boost::json::object& o, const char* key) { return static_cast<int>(o.at(key).to_number<int64_t>()); }

}  // namespace

StaticConfig static_config(const boost::json::object& config) {
  StaticConfig c;
  c.listen = std::string(config.at("listen").as_string());
  c.max_receive_message_bytes = integer(config, "max_receive_message_bytes");
  c.max_send_message_bytes = integer(config, "max_send_message_bytes");
  c.max_concurrent_streams = integer(config, "max_concurrent_streams");
  const auto& keepalive = config.at("keepalive").as_object();
  c.keepalive_time_ms = integer(keepalive, "time_ms");
  c.keepalive_timeout_ms = integer(keepalive, "timeout_ms");
  c.keepalive_permit_without_calls = keepalive.at("permit_without_calls").as_bool();
  c.keepalive_min_ping_interval_ms = integer(keepalive, "min_ping_interval_ms");
  c.tls = tls_files(config);
  return c;
}

DynamicConfig dynamic_config(const boost::json::object& config) {
  DynamicConfig c;
  c.reflection = config.at("reflection").as_bool();
  c.health = config.at("health").as_bool();
  c.health_watch_interval_ms = integer(config, "health_watch_interval_ms");
  c.access_log = config.at("access_log").as_bool();
  c.drain_timeout_ms = integer(config, "drain_timeout_ms");
  return c;
}

}  // namespace hyperion::plugins::grpc_server
