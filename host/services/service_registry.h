// ServiceRegistry: the services plugins publish and the handles other plugins
// use them through. A handle is bound to a provider *instance name*, not to a
// library, so the host can put a new provider behind the same name (hot swap)
// without the user noticing.
//
// Each (provider, api) holds a stack of publications, newest on top: enter()
// reaches the top one. A hot swap publishes the successor on top (new uses go
// to it at once), and withdrawing the predecessor afterwards, or the successor
// after a failed start, uncovers whatever is below — there is never a moment
// with no provider. Every use is counted between enter and leave; withdraw()
// and drain() wait for the uses in flight. pause() makes new uses of a
// publication wait (instead of failing) while the host takes a consistent
// snapshot of the instance's state for a swap.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <hyperion/plugin.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace hyperion::services {
class ServiceRegistry;
}

// The opaque handle type of hyperion/plugin.h.
struct hyperion_service {
  hyperion::services::ServiceRegistry* registry = nullptr;
  hyperion_host_ctx* owner = nullptr;  // the instance that acquired it
  std::string provider;                // instance name
  std::string api;
  uint32_t api_major = 0;
};

namespace hyperion::services {

class ServiceRegistry {
 public:
  struct Slot;
  // One publication; whoever published keeps it to withdraw exactly that one.
  using Publication = std::shared_ptr<Slot>;

  // Puts `ref` on top of the stack of service `api` (major `api_major`) of
  // instance `provider`: the next enter() reaches it.
  Publication publish(const std::string& provider, const std::string& api, uint32_t api_major,
                      const hyperion_service_ref_t& ref);
  // Takes `publications` out of their stacks (new enters reach what is below, or
  // fail with UNAVAILABLE when nothing is), then waits until the uses inside
  // them have left or `deadline` passes. Returns how many uses were still
  // inside at the deadline (0 = drained).
  size_t withdraw(const std::vector<Publication>& publications, std::chrono::steady_clock::time_point deadline);

  // New enters that would reach one of `publications` wait until resume() or
  // until something is published on top of it; uses already inside go on.
  void pause(const std::vector<Publication>& publications);
  void resume(const std::vector<Publication>& publications);
  // Waits, without withdrawing anything, until no use is inside `publications`
  // or `deadline` passes; returns how many were still inside.
  size_t drain(const std::vector<Publication>& publications, std::chrono::steady_clock::time_point deadline);

  // A new handle (owned by the caller; give it back with release()).
  hyperion_service* acquire(hyperion_host_ctx* owner, const std::string& provider, const std::string& api,
                            uint32_t api_major);
  void release(hyperion_service* handle);

  // UNAVAILABLE while the provider has nothing published.
  Status enter(hyperion_service* handle, hyperion_service_ref_t* out);
  void leave(hyperion_service* handle);

  // A paused publication makes enter() wait at most this long, then fail with
  // UNAVAILABLE (a swap is bounded by its own deadlines well before).
  static constexpr std::chrono::seconds kMaxPauseWait{120};

  // `in_flight` changes without the lock; `active` and `paused` under the
  // exclusive lock, so a use either sees the slot on top and is counted before
  // withdraw() looks, or does not find it.
  struct Slot {
    hyperion_service_ref_t ref{};
    std::atomic<bool> active{true};
    std::atomic<bool> paused{false};
    std::atomic<size_t> in_flight{0};
  };

 private:
  size_t wait_for_uses(std::unique_lock<std::shared_mutex>& lock, const std::vector<Publication>& publications,
                       std::chrono::steady_clock::time_point deadline);

  using Key = std::pair<std::string, std::string>;  // provider, api
  // Shared for enter (every service call), exclusive for the rest.
  std::shared_mutex mu_;
  std::condition_variable_any drained_;             // a use of an inactive or paused slot left
  std::condition_variable_any resumed_;             // a paused slot resumed or was covered
  std::map<Key, std::vector<Publication>> stacks_;  // newest last
};

}  // namespace hyperion::services
