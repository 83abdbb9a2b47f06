#include "server_config.h"

#include "http_engine/http_syntax.h"

#include <hyperion/plugin.hpp>

#include <algorithm>
#include <thread>

namespace hyperion::plugins::http_server {
namespace {

int64_t integer(const boost::json::object& o, const char* key) { return o.at(key).to_number<int64_t>(); }

std::vector<std::string> strings(const boost::json::object& o, const char* key, bool lower = false) {
  std::vector<std::string> out;
  for (const auto& v : o.at(key).as_array()) {
    std::string s(v.as_string());
    if (lower) s = http_engine::to_lower(s);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Endpoint endpoint_config(const boost::json::object& config) {
  Endpoint e;
  e.listen = std::string(config.at("listen").as_string());
  e.tls = tls_files(config);
  std::string host;
  uint16_t port = 0;
  http_engine::split_listen(e.listen, host, port);
  return e;
}

Settings settings_config(const boost::json::object& config) {
  using std::chrono::milliseconds;
  Settings s;
  s.max_body_bytes = static_cast<uint64_t>(integer(config, "max_body_bytes"));
  s.max_header_bytes = static_cast<uint32_t>(integer(config, "max_header_bytes"));
  s.max_request_line_bytes = static_cast<uint32_t>(integer(config, "max_request_line_bytes"));
  s.max_header_count = static_cast<uint32_t>(integer(config, "max_header_count"));
  s.max_connections = static_cast<uint32_t>(integer(config, "max_connections"));
  s.idle_timeout = milliseconds(integer(config, "idle_timeout_ms"));
  s.header_timeout = milliseconds(integer(config, "header_timeout_ms"));
  s.body_timeout = milliseconds(integer(config, "body_timeout_ms"));
  s.handler_timeout = milliseconds(integer(config, "handler_timeout_ms"));
  s.write_timeout = milliseconds(integer(config, "write_timeout_ms"));
  const auto& cors = config.at("cors").as_object();
  s.cors.allow_origins = strings(cors, "allow_origins");
  s.cors.allow_methods = strings(cors, "allow_methods");
  s.cors.allow_headers = strings(cors, "allow_headers", true);
  s.cors.expose_headers = strings(cors, "expose_headers");
  s.cors.allow_credentials = cors.at("allow_credentials").as_bool();
  s.cors.max_age_s = static_cast<int>(integer(cors, "max_age_s"));
  if (s.cors.allow_credentials &&
      std::find(s.cors.allow_origins.begin(), s.cors.allow_origins.end(), "*") != s.cors.allow_origins.end()) {
    throw hyperion::Error(
        HYPERION_ERR_INVALID_ARGUMENT,
        "cors.allow_credentials: browsers refuse credentials with allow_origins \"*\"; list the origins");
  }
  const auto& compression = config.at("compression").as_object();
  s.gzip = compression.at("gzip").as_bool();
  s.gzip_min_bytes = static_cast<uint64_t>(integer(compression, "min_bytes"));
  s.access_log = config.at("access_log").as_bool();
  s.drain_timeout = milliseconds(integer(config, "drain_timeout_ms"));
  return s;
}

int thread_count(const boost::json::object& config) {
  auto n = static_cast<int>(integer(config, "threads"));
  if (n > 0) return n;
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace hyperion::plugins::http_server
