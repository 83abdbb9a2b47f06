// ServiceRegistry: the services plugins publish and the handles other plugins
// use them through. A handle is bound to a provider *instance name*, not to a
// library, so the host can put a new provider behind the same name (hot swap)
// without the user noticing. Every use is counted between enter and leave, and
// withdraw() waits for the uses in flight to drain before a provider stops.
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
  // Makes `ref` the service `api` (major `api_major`) of instance `provider`.
  void publish(const std::string& provider, const std::string& api, uint32_t api_major,
               const hyperion_service_ref_t& ref);
  // Withdraws every service of `provider`: new enters fail with UNAVAILABLE, then
  // waits until uses in flight have left or `deadline` passes. Returns how many
  // uses were still inside at the deadline (0 = drained).
  size_t withdraw(const std::string& provider, std::chrono::steady_clock::time_point deadline);

  // A new handle (owned by the caller; give it back with release()).
  hyperion_service* acquire(hyperion_host_ctx* owner, const std::string& provider, const std::string& api,
                            uint32_t api_major);
  void release(hyperion_service* handle);

  // UNAVAILABLE while the provider has not published (or has withdrawn).
  Status enter(hyperion_service* handle, hyperion_service_ref_t* out);
  void leave(hyperion_service* handle);

 private:
  // `active` changes under the exclusive lock; uses enter under the shared
  // lock, so a use either sees the slot active and is counted before withdraw()
  // looks, or sees it withdrawn.
  struct Slot {
    hyperion_service_ref_t ref{};
    std::atomic<bool> active{false};
    std::atomic<size_t> in_flight{0};
  };
  using Key = std::pair<std::string, std::string>;  // provider, api
  // Shared for enter (every service call), exclusive for publish and withdraw.
  std::shared_mutex mu_;
  std::condition_variable_any drained_;
  std::map<Key, std::shared_ptr<Slot>> slots_;
};

}  // namespace hyperion::services
