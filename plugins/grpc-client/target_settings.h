// The grpc-client plugin's configuration (plugin.json has the schema; the host
// has validated it and filled the defaults): its targets and their policies.
// Everything is dynamic: a reload builds new Settings, and a target whose
// settings changed gets new channels while calls in flight finish on the old.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "circuit_breaker.h"
#include "grpc_code_names.h"

namespace hyperion::plugins::grpc_client {

using Millis = std::chrono::milliseconds;

enum class Policy { kRoundRobin, kLeastRequest, kPickFirst };

struct RetrySettings {
  uint32_t max_attempts = 3;  // in all, the first attempt included
  std::set<int32_t> on;       // gRPC codes that are retried
  Millis initial_backoff{50};
  Millis max_backoff{1000};
  bool operator==(const RetrySettings&) const = default;
};

struct MethodSettings {
  Millis deadline{0};  // 0: the target's
  bool idempotent = false;
  Millis cache_ttl{0};  // OK answers are reused this long; 0: never
  bool operator==(const MethodSettings&) const = default;
};

struct TlsSettings {
  std::string ca_file;    // empty: the system's CAs
  std::string cert_file;  // client certificate (mTLS), with key_file
  std::string key_file;
  std::string server_name;  // the name the server's certificate must carry, when not the address's host
  bool operator==(const TlsSettings&) const = default;
};

struct TargetSettings {
  std::string name;
  // Either a discovery service ("discovery:///users") or fixed addresses.
  std::string discovery_service;
  std::vector<std::string> addresses;  // "host:port"
  Policy policy = Policy::kRoundRobin;
  Millis deadline{0};  // 0: none
  bool required = true;
  uint32_t channels_per_instance = 1;
  RetrySettings retry;
  std::map<std::string, MethodSettings> methods;  // by full method name
  uint32_t cache_max_entries = 1000;              // answers kept for methods with a cache_ttl
  BreakerSettings breaker;
  std::set<int32_t> expected_codes;  // codes the breaker does not count as failures
  Millis keepalive_time{0};          // 0: no keepalive pings
  Millis keepalive_timeout{20000};
  bool tls_enabled = false;
  TlsSettings tls;
  // Whether two settings need different channels (everything that is baked
  // into a channel when it is made).
  [[nodiscard]] bool same_channels(const TargetSettings& o) const {
    return discovery_service == o.discovery_service && addresses == o.addresses &&
           channels_per_instance == o.channels_per_instance && keepalive_time == o.keepalive_time &&
           keepalive_timeout == o.keepalive_timeout && tls_enabled == o.tls_enabled && tls == o.tls;
  }
  bool operator==(const TargetSettings&) const = default;
};

struct Settings {
  std::map<std::string, std::shared_ptr<const TargetSettings>> targets;
  Millis slow_call{1000};  // calls slower than this are logged as warnings; 0: never
};

// Parses a validated config; throws hyperion::Error naming the field for what
// the schema cannot say (a malformed address, a code name, cert without key).
std::shared_ptr<const Settings> parse_settings(const boost::json::object& config);

const char* policy_name(Policy policy);

}  // namespace hyperion::plugins::grpc_client
