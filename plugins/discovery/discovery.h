// Discovery: provides the "discovery" service 1.0 (hyperion/services/discovery.h)
// over a registry (static or etcd; registry.h). It publishes the instances its
// config lists — and those other plugins register — while the host is ready,
// and withdraws them as soon as it is not (it hears dev.hyperion.host.readiness);
// it follows each service someone asks about, keeps a Balancer per service
// for pick(), and runs watch callbacks in order on a thread of its own.
// docs/discovery.md.
// Thread-safety: service calls from any thread; lifecycle calls serialized by the host.
#pragma once

#include <hyperion/services/discovery.h>
#include <hyperion/plugin.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "balancer.h"
#include "registry.h"

namespace hyperion::plugins::discovery {

struct Settings {
  std::string backend = "static";
  std::vector<Instance> register_instances;
  std::vector<Instance> static_instances;
  std::vector<std::string> follow;  // followed from the start
  Policy default_policy = Policy::kRoundRobin;
  std::map<std::string, Policy> policies;  // per service
  OutlierSettings outlier;
  std::chrono::milliseconds resolve_timeout{2000};

  // From a config the host validated against plugin.json (defaults filled in).
  // Throws hyperion::Error naming the field for what the schema cannot say.
  static Settings from_config(const boost::json::object& config);
};

class Discovery {
 public:
  Discovery(hyperion::Context& ctx, const boost::json::object& config);
  ~Discovery();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);

  // The service, in C++ (the vtable's functions call these).
  void register_instance(const Instance& instance);
  void deregister_instance(const std::string& service, const std::string& id);
  std::vector<Instance> resolve(const Query& query);
  uint64_t watch(const Query& query, std::function<void(const std::vector<Instance>&)> fn);
  void unwatch(uint64_t id);
  // `filter` (tags, metadata) may be null: the fast path, with no copy of anything.
  std::optional<Balancer::Choice> pick(std::string_view service, const Query* filter);
  void report(uint64_t ticket, hyperion_discovery_outcome_t outcome);

 private:
  struct Watch {
    Query query;
    std::function<void(const std::vector<Instance>&)> fn;
    std::mutex mu;  // held while fn runs: unwatch waits on it
    std::atomic<bool> active{true};
  };
  // A job for the notifier: `fn` of `w` with `set`, unless it was unwatched.
  void notify_watch(const std::shared_ptr<Watch>& w, std::vector<Instance> set);
  // One service this host follows.
  struct Followed {
    Followed(Policy policy, OutlierSettings outlier) : balancer(policy, outlier) {}
    Balancer balancer;
    std::mutex mu;
    std::condition_variable known_cv;
    bool known = false;  // the registry has answered once
    std::atomic<bool> answered{false};  // `known`, read by pick() without the lock
    std::vector<Instance> instances;
    uint32_t index = 0;  // its place in by_index_ (tickets carry it)
  };

  Followed& follow(const std::string& service);
  Followed* followed(std::string_view service);
  void on_instances(Followed& f, const std::string& service, const std::vector<Instance>& instances);
  void on_readiness(bool ready, const std::string& reason);
  // Runs on the notifier thread, in order.
  void notify(std::function<void()> job);
  void notifier_loop();

  hyperion::Context& ctx_;
  // Unique in the process for its whole life (the lookup cache keys on it).
  const uint64_t id_ = next_id_.fetch_add(1) + 1;
  static inline std::atomic<uint64_t> next_id_{0};
  Settings settings_;
  std::unique_ptr<Registry> registry_;

  // Registrations: wanted while the plugin runs, published while the host is ready.
  std::mutex registrations_mu_;
  std::map<std::pair<std::string, std::string>, Instance> wanted_;
  bool ready_ = false;
  uint64_t readiness_subscription_ = 0;

  // Looked up by string_view: a pick copies no name.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::shared_mutex services_mu_;
  std::unordered_map<std::string, std::unique_ptr<Followed>, NameHash, std::equal_to<>> services_;
  // By the index tickets carry: written once each, read without a lock by report().
  static constexpr size_t kMaxServices = 4096;
  std::array<std::atomic<Followed*>, kMaxServices> by_index_{};
  size_t followed_count_ = 0;  // under services_mu_

  std::mutex watches_mu_;
  std::map<uint64_t, std::pair<std::string, std::shared_ptr<Watch>>> watches_;  // id -> (service, watch)
  uint64_t next_watch_ = 1;

  std::mutex notifier_mu_;
  std::condition_variable notifier_cv_;
  std::deque<std::function<void()>> jobs_;
  bool notifier_stopping_ = false;
  std::thread notifier_;
};

}  // namespace hyperion::plugins::discovery
