// Balancer: the instances of one service as pick() sees them — a policy
// (round_robin, random, least_outstanding) and outlier detection (an instance
// failing `consecutive_failures` times in a row is skipped for base_ejection
// times the number of its ejections, at most max_ejection, as in Envoy; the
// count starts over once it has done well for max_ejection). Tickets name an instance's slot and
// its generation, so a report for an instance that left is ignored.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <hyperion/services/discovery.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hyperion::plugins::discovery {

using hyperion::discovery::Instance;
using hyperion::discovery::Query;

enum class Policy { kRoundRobin, kRandom, kLeastOutstanding };
// "round_robin" | "random" | "least_outstanding"; nullopt for anything else.
std::optional<Policy> policy_named(const std::string& name);

struct OutlierSettings {
  int consecutive_failures = 5;  // 0: never eject
  std::chrono::milliseconds base_ejection{30000};
  std::chrono::milliseconds max_ejection{300000};
  int max_ejection_percent = 50;  // of the service's instances, at least one
};

// Every tag and every metadata pair of `query` (its service aside) is on `instance`.
bool matches(const Instance& instance, const Query& query);

class Balancer {
 public:
  using Clock = std::chrono::steady_clock;

  Balancer(Policy policy, OutlierSettings outlier);

  // The service's instances now (sorted by id); the counters of instances that
  // stay are kept.
  void update(const std::vector<Instance>& instances);

  struct Choice {
    std::shared_ptr<const Instance> instance;
    uint64_t ticket = 0;
  };
  // One instance that matches `query` (nullptr: no filter), skipping ejected
  // ones unless every match is ejected (then ejection is ignored, as Envoy's
  // panic mode: a service is never refused for ejections alone). nullopt when
  // nothing matches.
  std::optional<Choice> pick(const Query* query, Clock::time_point now);
  // With the clock read only while some instance is ejected: the common case costs no clock.
  std::optional<Choice> pick(const Query* query);

  // Ends a picked call. Returns true when this report ejected the instance.
  bool report(uint64_t ticket, hyperion_discovery_outcome_t outcome, Clock::time_point now);
  // A success or a cancellation needs no clock; a failure reads it.
  bool report(uint64_t ticket, hyperion_discovery_outcome_t outcome);

  [[nodiscard]] size_t size() const;
  [[nodiscard]] size_t ejected(Clock::time_point now) const;
  // Calls in flight on the instance with `id` (for tests and health details).
  [[nodiscard]] int64_t outstanding(const std::string& id) const;

 private:
  struct Endpoint {
    std::shared_ptr<const Instance> instance;
    uint32_t slot = 0;
    uint64_t generation = 0;
    int64_t outstanding = 0;
    int consecutive_failures = 0;
    int times_ejected = 0;
    Clock::time_point ejected_until{};
  };
  [[nodiscard]] bool is_ejected(const Endpoint& e, Clock::time_point now) const { return e.ejected_until > now; }
  Choice take(Endpoint& e);
  std::optional<Choice> pick_locked(const Query* query, Clock::time_point now);
  bool report_locked(uint64_t ticket, hyperion_discovery_outcome_t outcome, Clock::time_point now);
  uint64_t next_random();

  const Policy policy_;
  const OutlierSettings outlier_;
  mutable std::mutex mu_;
  std::vector<Endpoint*> live_;                   // the current instances, by id
  std::vector<std::unique_ptr<Endpoint>> slots_;  // by slot; a freed slot is reused with a new generation
  std::vector<uint32_t> free_slots_;
  uint64_t generations_ = 0;
  uint64_t round_robin_ = 0;
  Clock::time_point ejections_end_{};  // when the last ejection ends: before it, picks read the clock
  uint64_t random_state_;
  std::vector<uint32_t> scratch_;  // matching candidates of a filtered pick
};

}  // namespace hyperion::plugins::discovery
