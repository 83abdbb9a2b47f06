// The etcd registry's settings and factory (etcd_registry.cc says how it works).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "registry.h"
#include "stores/etcd_client.h"

namespace hyperion::plugins::discovery {

struct EtcdRegistrySettings {
  etcd::ClientSettings client;
  std::string prefix = "hyperion/services/";  // ends with '/'
  std::chrono::seconds ttl{10};
  std::chrono::milliseconds retry_initial{500};
  std::chrono::milliseconds retry_max{10000};
  std::function<void(const std::string&)> warn = [](const std::string&) {};
  std::function<void(uint64_t count)> reregistered = [](uint64_t) {};  // instances registered again
};

std::unique_ptr<Registry> make_etcd_registry(EtcdRegistrySettings settings);

}  // namespace hyperion::plugins::discovery
