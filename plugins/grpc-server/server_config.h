// The grpc-server plugin's configuration (plugin.json has the schema, which the
// host has already validated and filled with defaults). Static settings need a
// restart; dynamic ones (x-dynamic) change through reload.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "tls_files.h"

namespace hyperion::plugins::grpc_server {

using TlsConfig = hyperion::plugins::TlsFiles;

struct StaticConfig {
  std::string listen;
  int max_receive_message_bytes = 0;
  int max_send_message_bytes = 0;
  int max_concurrent_streams = 0;
  int keepalive_time_ms = 0;
  int keepalive_timeout_ms = 0;
  bool keepalive_permit_without_calls = false;
  int keepalive_min_ping_interval_ms = 0;
  std::optional<TlsConfig> tls;
};

struct DynamicConfig {
  bool reflection = true;
  bool health = true;
  int health_watch_interval_ms = 1000;
  bool access_log = true;
  int drain_timeout_ms = 5000;
};

StaticConfig static_config(const boost::json::object& config);
DynamicConfig dynamic_config(const boost::json::object& config);

}  // namespace hyperion::plugins::grpc_server
