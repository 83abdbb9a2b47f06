#include "client_settings.h"

#include <hyperion/plugin.hpp>

namespace hyperion::plugins::http_client {
namespace {

Millis duration(const boost::json::object& o, const char* key, const std::string& where) {
  return duration_field(o, key, where);
}

}  // namespace

std::shared_ptr<const Settings> parse_settings(const boost::json::object& config) {
  auto s = std::make_shared<Settings>();
  s->timeout = duration(config, "timeout", "");
  s->connect_timeout = duration(config, "connect_timeout", "");
  s->read_timeout = duration(config, "read_timeout", "");
  s->max_retries = static_cast<int>(config.at("max_retries").to_number<int64_t>());
  s->retry_wait_min = duration(config, "retry_wait_min", "");
  s->retry_wait_max = duration(config, "retry_wait_max", "");
  if (s->retry_wait_min > s->retry_wait_max) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "retry_wait_min: must not be longer than retry_wait_max");
  }
  s->max_response_bytes = config.at("max_response_bytes").to_number<uint64_t>();
  s->max_idle_per_host = config.at("max_idle_connections_per_host").to_number<uint64_t>();
  s->breaker = parse_breaker_settings(config.at("circuit_breaker").as_object(), "circuit_breaker.");
  if (const auto* tls = config.if_contains("tls")) {
    const auto& t = tls->as_object();
    auto text = [&](const char* key) {
      const auto* v = t.if_contains(key);
      return v != nullptr ? std::string(v->as_string()) : std::string();
    };
    s->tls.ca_file = text("ca_file");
    s->tls.cert_file = text("cert_file");
    s->tls.key_file = text("key_file");
    s->tls.insecure_skip_verify = t.at("insecure_skip_verify").as_bool();
    if (s->tls.cert_file.empty() != s->tls.key_file.empty()) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "tls.cert_file: a client certificate needs tls.key_file too");
    }
  }
  s->tls.fingerprint = s->tls.ca_file + '\n' + s->tls.cert_file + '\n' + s->tls.key_file + '\n' +
                       (s->tls.insecure_skip_verify ? "insecure" : "verify");
  return s;
}

}  // namespace hyperion::plugins::http_client
