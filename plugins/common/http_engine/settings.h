// What the engine serves with: where it listens (Endpoint) and the limits and
// behaviour of each new request (Settings). Its users fill them from their own
// configuration — the http-server plugin from its schema, the admin API from
// the manifest's host.admin, the health plugin from its defaults — so every
// listener of the host is bounded the same way (docs/security.md lists them).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tls_files.h"

namespace hyperion::http_engine {

using TlsConfig = hyperion::plugins::TlsFiles;

// Where and how the listener accepts.
struct Endpoint {
  std::string listen;  // host:port ([v6]:port); port 0 picks a free one
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
  uint32_t max_header_bytes = 64 << 10;       // the request line and every header together
  uint32_t max_request_line_bytes = 8 << 10;  // the request line, and each header field line
  uint32_t max_header_count = 100;
  uint32_t max_connections = 10000;  // then the oldest idle connection makes room
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds handler_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
  CorsConfig cors;
  bool gzip = true;
  uint64_t gzip_min_bytes = 1024;
  bool access_log = true;
  bool require_length = false;  // a POST, PUT or PATCH without a body length gets 411
  std::chrono::milliseconds drain_timeout{5000};
};

// "host:port" -> host (brackets of an IPv6 address removed) and port; throws
// hyperion::Error naming the listen field.
void split_listen(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace hyperion::http_engine
