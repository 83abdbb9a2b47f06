// The http-client plugin's configuration (plugin.json has the schema; the host
// has validated it and filled the defaults). Everything but `workers` is
// dynamic: a reload swaps the whole Settings, and each call keeps the Settings
// it started with, so calls in flight are not disturbed.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "circuit_breaker.h"
#include "duration.h"

namespace hyperion::plugins::http_client {

using Millis = std::chrono::milliseconds;

struct TlsSettings {
  std::string ca_file;    // empty: the system's CAs
  std::string cert_file;  // client certificate (with key_file)
  std::string key_file;
  bool insecure_skip_verify = false;
  // A key for connection pools (clients made with other TLS settings are not
  // reused), set by parse_settings() from the fields above.
  std::string fingerprint;
};

struct Settings {
  Millis timeout{30000};          // total per call, retries included
  Millis connect_timeout{5000};   // per attempt
  Millis read_timeout{10000};     // per attempt, between bytes
  int max_retries = 3;
  Millis retry_wait_min{100};
  Millis retry_wait_max{5000};
  uint64_t max_response_bytes = 16 << 20;
  size_t max_idle_per_host = 8;
  BreakerSettings breaker;
  TlsSettings tls;
};

// Parses a validated config; throws hyperion::Error naming the field for what
// the schema cannot say (retry_wait_min > retry_wait_max, cert without key).
std::shared_ptr<const Settings> parse_settings(const boost::json::object& config);

}  // namespace hyperion::plugins::http_client
