// The http-server plugin's configuration (plugin.json has the schema, which the
// host has already validated and filled with defaults). Everything but
// `threads` changes through reload: Settings are swapped in whole for new
// requests, a new Endpoint moves the listener.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tls_files.h"

namespace hyperion::plugins::http_server {

using TlsConfig = hyperion::plugins::TlsFiles;

// Where and how the listener accepts.
struct Endpoint {
  std::string listen;
  std::optional<TlsConfig> tls;
  bool operator==(const Endpoint&) const = default;
};

struct CorsConfig {
  std::vector<std::string> allow_origins;
  std::vector<std::string> allow_methods;
  std::vector<std::string> allow_headers;  // lower-case
  std::vector<std::string> expose_headers;
  bool allow_credentials = false;
  int max_age_s = 600;
  [[nodiscard]] bool enabled() const { return !allow_origins.empty(); }
};

// What each new request is served with; immutable once built (shared_ptr swap).
struct Settings {
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 64 << 10;
  uint32_t max_request_line_bytes = 8 << 10;
  uint32_t max_header_count = 100;
  uint32_t max_connections = 10000;
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds handler_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
  CorsConfig cors;
  bool gzip = true;
  uint64_t gzip_min_bytes = 1024;
  bool access_log = true;
  std::chrono::milliseconds drain_timeout{5000};
};

Endpoint endpoint_config(const boost::json::object& config);
Settings settings_config(const boost::json::object& config);
int thread_count(const boost::json::object& config);

// "host:port" -> host and port; throws hyperion::Error naming `field`.
void split_listen(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace hyperion::plugins::http_server
