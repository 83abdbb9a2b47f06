// Registry: where instances are published and found — one implementation per
// backend (static, etcd), so the plugin's logic (readiness, balancing, watches)
// is the same for all. docs/discovery.md.
// Thread-safety: every member may be called from any thread; on_change
// callbacks run on the registry's own threads, one at a time per service.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "balancer.h"

namespace hyperion::plugins::discovery {

using OnInstances = std::function<void(const std::vector<Instance>& instances)>;

struct RegistryStatus {
  bool healthy = true;
  std::string message;   // what it is doing, or what went wrong
  size_t published = 0;  // instances this host has in the registry now
  uint64_t reregistrations = 0;
};

class Registry {
 public:
  virtual ~Registry() = default;
  // "static", "etcd:<endpoint>": for health and logs.
  [[nodiscard]] virtual std::string name() const = 0;
  // False for a registry that only reads (kubernetes: registration is the
  // cluster's own): publish() and withdraw() do nothing there.
  [[nodiscard]] virtual bool writable() const { return true; }
  // Publishes (or replaces) one instance and keeps it alive; the registry
  // retries in the background until it is there. Never blocks on the network.
  virtual void publish(const Instance& instance) = 0;
  virtual void withdraw(const std::string& service, const std::string& id) = 0;
  // Follows a service from now on: `on_change` gets the whole healthy set
  // first and after every change. Once per service.
  virtual void follow(const std::string& service, OnInstances on_change) = 0;
  // Withdraws everything this host published (within `deadline`) and ends
  // every follow.
  virtual void stop(std::chrono::steady_clock::time_point deadline) = 0;
  [[nodiscard]] virtual RegistryStatus status() const = 0;
};

// Instances listed in the manifest, plus what this host publishes: the
// embedded default, which needs no server and serves one machine.
std::unique_ptr<Registry> make_static_registry(std::vector<Instance> listed);

// The JSON stored for an instance (etcd values), and back. from_json throws
// std::runtime_error naming what is wrong.
std::string instance_json(const Instance& instance);
Instance instance_from_json(const std::string& text);

}  // namespace hyperion::plugins::discovery
