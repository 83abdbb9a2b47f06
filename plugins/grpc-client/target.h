// Target: one configured target at run time — its instances, a channel (or a
// few) per instance, the balancer over them and the target's circuit breaker.
// Instances come from the config (fixed addresses) or from the discovery
// service's watch (set_instances), and an instance seen in both the old and
// the new list keeps its channels. A Target is immutable in its settings: a
// reload that changes them makes a new Target, and calls in flight finish on
// the old one (they hold it by shared_ptr).
// Thread-safety: every member may be called from any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "circuit_breaker.h"
#include "response_cache.h"
#include "target_settings.h"

namespace hyperion::plugins::grpc_client {

// One instance ("host:port") and its channels.
class Endpoint {
 public:
  Endpoint(std::string address, std::vector<std::shared_ptr<grpc::Channel>> channels)
      : address_(std::move(address)), channels_(std::move(channels)) {}
  [[nodiscard]] const std::string& address() const { return address_; }
  // The next channel, in turn.
  [[nodiscard]] const std::shared_ptr<grpc::Channel>& channel();
  // True while every channel is in TRANSIENT_FAILURE (the instance cannot be reached).
  [[nodiscard]] bool failing() const;
  [[nodiscard]] bool ready() const;
  // The channels' states, e.g. "ready", "connecting,transient_failure".
  [[nodiscard]] std::string state() const;
  std::atomic<int64_t> in_flight{0};

 private:
  const std::string address_;
  const std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::atomic<uint32_t> next_{0};
};

struct EndpointStatus {
  std::string address;
  std::string state;
  int64_t in_flight = 0;
};

struct TargetStatus {
  std::vector<EndpointStatus> endpoints;
  size_t instances = 0;
  size_t ready = 0;
  std::string connectivity;  // "ready", "connecting", "idle", "transient_failure", "no_instances"
  CircuitBreaker::State breaker = CircuitBreaker::State::kClosed;
};

class Target {
 public:
  // Reads the TLS files; throws hyperion::Error naming the field when one
  // cannot be read. Fixed addresses get their channels here (and start
  // connecting: make-before-break on reload).
  explicit Target(std::shared_ptr<const TargetSettings> settings);

  [[nodiscard]] const TargetSettings& settings() const { return *settings_; }
  [[nodiscard]] const std::shared_ptr<const TargetSettings>& settings_ptr() const { return settings_; }

  // Replaces the instances (discovery targets); channels of kept ones stay.
  void set_instances(const std::vector<std::string>& addresses);
  // Chooses an instance by the policy, preferring ones not failing and not
  // `avoid` (the one the last attempt failed on); nullptr when there is none.
  std::shared_ptr<Endpoint> pick(const Endpoint* avoid);

  CircuitBreaker& breaker() { return breaker_; }
  // Answers of the methods with a cache_ttl. A reload that changes the
  // target's settings starts with an empty cache (the ttl may have changed).
  ResponseCache& cache() { return cache_; }
  TargetStatus status();
  // Whether the discovery watch has delivered a first answer yet.
  [[nodiscard]] bool resolved() const { return resolved_.load(); }

 private:
  std::shared_ptr<Endpoint> make_endpoint(const std::string& address) const;
  [[nodiscard]] std::shared_ptr<const std::vector<std::shared_ptr<Endpoint>>> endpoints() const;

  const std::shared_ptr<const TargetSettings> settings_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<std::shared_ptr<Endpoint>>> endpoints_;
  std::atomic<bool> resolved_{false};
  std::atomic<uint64_t> next_{0};
  std::mutex rng_mu_;
  std::mt19937_64 rng_{std::random_device{}()};
  CircuitBreaker breaker_;
  ResponseCache cache_;
};

}  // namespace hyperion::plugins::grpc_client
