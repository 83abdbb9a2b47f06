// The Consul registry's settings and factory (consul_registry.cc says how it works).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "registry.h"
#include "stores/consul_client.h"

namespace hyperion::plugins::discovery {

struct ConsulRegistrySettings {
  consul::ClientSettings client;
  std::chrono::seconds ttl{10};               // the TTL check, refreshed every ttl/3
  std::chrono::seconds deregister_after{60};  // DeregisterCriticalServiceAfter
  std::string http_check;                     // instead of a TTL: Consul polls this URL (e.g. /readyz)
  std::chrono::seconds check_interval{5};     // of the HTTP check
  std::chrono::seconds wait{60};              // each blocking health query's wait
  std::chrono::milliseconds rate_interval{1000};
  std::chrono::milliseconds retry_initial{500};
  std::chrono::milliseconds retry_max{10000};
  std::function<void(const std::string&)> warn = [](const std::string&) {};
  std::function<void(uint64_t count)> reregistered = [](uint64_t) {};  // instances registered again
};

std::unique_ptr<Registry> make_consul_registry(ConsulRegistrySettings settings);

// The body of PUT /v1/agent/service/register for `instance` (tests check it field by field).
std::string consul_registration(const Instance& instance, const ConsulRegistrySettings& settings);
// The instances in an answer of GET /v1/health/service/<name>: the service's
// address, or its node's when the service has none (Consul's rule).
std::vector<Instance> instances_of_health_answer(const std::string& body);

}  // namespace hyperion::plugins::discovery
