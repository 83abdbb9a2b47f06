// The static registry: the manifest's list, plus what this host publishes
// (so a single machine resolves its own services too). Followers hear every
// publish and withdraw at once, on the calling thread.
#include <map>
#include <mutex>

#include "registry.h"

namespace hyperion::plugins::discovery {
namespace {

class StaticRegistry final : public Registry {
 public:
  explicit StaticRegistry(std::vector<Instance> listed) {
    for (Instance& i : listed) listed_[{i.service, i.id}] = std::move(i);
  }

  [[nodiscard]] std::string name() const override { return "static"; }

  void publish(const Instance& instance) override {
    std::lock_guard lock(mu_);
    published_[{instance.service, instance.id}] = instance;
    tell(instance.service);
  }

  void withdraw(const std::string& service, const std::string& id) override {
    std::lock_guard lock(mu_);
    if (published_.erase({service, id}) > 0) tell(service);
  }

  void follow(const std::string& service, OnInstances on_change) override {
    std::lock_guard lock(mu_);
    followers_[service] = std::move(on_change);
    tell(service);
  }

  void stop(std::chrono::steady_clock::time_point) override {
    std::lock_guard lock(mu_);
    followers_.clear();
    published_.clear();
  }

  [[nodiscard]] RegistryStatus status() const override {
    std::lock_guard lock(mu_);
    return {true, std::to_string(listed_.size()) + " listed in the manifest", published_.size(), 0};
  }

 private:
  using Key = std::pair<std::string, std::string>;

  // Under mu_: the follower of `service`, with what it has now. Calls under
  // the lock keep the order of changes; callbacks must not call back in.
  void tell(const std::string& service) {
    auto follower = followers_.find(service);
    if (follower == followers_.end()) return;
    std::map<std::string, Instance> by_id;  // a publish of a listed id replaces it
    for (const auto* source : {&listed_, &published_}) {
      for (auto it = source->lower_bound({service, ""}); it != source->end() && it->first.first == service; ++it) {
        by_id[it->first.second] = it->second;
      }
    }
    std::vector<Instance> all;
    for (auto& [id, instance] : by_id) all.push_back(std::move(instance));
    follower->second(all);
  }

  mutable std::mutex mu_;
  std::map<Key, Instance> listed_;
  std::map<Key, Instance> published_;
  std::map<std::string, OnInstances> followers_;
};

}  // namespace

std::unique_ptr<Registry> make_static_registry(std::vector<Instance> listed) {
  return std::make_unique<StaticRegistry>(std::move(listed));
}

}  // namespace hyperion::plugins::discovery
