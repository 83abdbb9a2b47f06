#include "services/service_registry.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace hyperion::services {
namespace {

// The slot each open use on this thread entered, so leave() decrements the same
// slot even if the provider was replaced in between.
thread_local std::vector<std::pair<hyperion_service*, std::shared_ptr<void>>> t_open_uses;

size_t uses_inside(const std::vector<ServiceRegistry::Publication>& publications) {
  size_t n = 0;
  for (const auto& p : publications) n += p->in_flight.load();
  return n;
}

}  // namespace

ServiceRegistry::Publication ServiceRegistry::publish(const std::string& provider, const std::string& api,
                                                      uint32_t api_major, const hyperion_service_ref_t& ref) {
  (void)api_major;  // the graph already matched majors; one stack per API name
  auto slot = std::make_shared<Slot>();
  slot->ref = ref;
  {
    std::unique_lock lock(mu_);
    stacks_[{provider, api}].push_back(slot);
  }
  resumed_.notify_all();  // uses waiting on a paused slot below now reach this one
  return slot;
}

size_t ServiceRegistry::wait_for_uses(std::unique_lock<std::shared_mutex>& lock,
                                      const std::vector<Publication>& publications,
                                      std::chrono::steady_clock::time_point deadline) {
  drained_.wait_until(lock, deadline, [&] { return uses_inside(publications) == 0; });
  return uses_inside(publications);
}

size_t ServiceRegistry::withdraw(const std::vector<Publication>& publications,
                                 std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  for (const Publication& p : publications) {
    p->active = false;
    p->paused = false;
    for (auto it = stacks_.begin(); it != stacks_.end();) {
      auto& stack = it->second;
      stack.erase(std::remove(stack.begin(), stack.end(), p), stack.end());
      it = stack.empty() ? stacks_.erase(it) : std::next(it);
    }
  }
  resumed_.notify_all();
  return wait_for_uses(lock, publications, deadline);
}

void ServiceRegistry::pause(const std::vector<Publication>& publications) {
  std::unique_lock lock(mu_);
  for (const Publication& p : publications) p->paused = true;
}

void ServiceRegistry::resume(const std::vector<Publication>& publications) {
  {
    std::unique_lock lock(mu_);
    for (const Publication& p : publications) p->paused = false;
  }
  resumed_.notify_all();
}

size_t ServiceRegistry::drain(const std::vector<Publication>& publications,
                              std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return wait_for_uses(lock, publications, deadline);
}

hyperion_service* ServiceRegistry::acquire(hyperion_host_ctx* owner, const std::string& provider,
                                           const std::string& api, uint32_t api_major) {
  return new hyperion_service{this, owner, provider, api, api_major};
}

void ServiceRegistry::release(hyperion_service* handle) { delete handle; }

Status ServiceRegistry::enter(hyperion_service* handle, hyperion_service_ref_t* out) {
  std::shared_ptr<Slot> slot;
  {
    std::shared_lock lock(mu_);
    const Key key{handle->provider, handle->api};
    auto top = [&]() -> std::shared_ptr<Slot> {
      auto it = stacks_.find(key);
      return it == stacks_.end() ? nullptr : it->second.back();
    };
    slot = top();
    if (slot != nullptr && slot->paused.load()) {
      // A swap is taking this provider's state: wait for it to resume or for
      // its successor to be published on top, never for longer than the bound.
      bool waited = resumed_.wait_for(lock, kMaxPauseWait, [&] {
        slot = top();
        return slot == nullptr || !slot->paused.load();
      });
      if (!waited) {
        return unavailable("service " + handle->api + " of instance \"" + handle->provider +
                           "\" stayed paused for too long");
      }
    }
    if (slot == nullptr) {
      return unavailable("service " + handle->api + " of instance \"" + handle->provider + "\" is not running");
    }
    slot->in_flight.fetch_add(1);
  }
  // Copy only the fields the caller's struct has room for.
  uint32_t size = out->struct_size;
  hyperion_service_ref_t ref = slot->ref;
  ref.struct_size = size;
  std::memcpy(out, &ref, std::min<size_t>(size, sizeof ref));
  t_open_uses.emplace_back(handle, std::move(slot));
  return ok_status();
}

void ServiceRegistry::leave(hyperion_service* handle) {
  for (auto it = t_open_uses.rbegin(); it != t_open_uses.rend(); ++it) {
    if (it->first != handle) continue;
    auto slot = std::static_pointer_cast<Slot>(it->second);
    if (slot->in_flight.fetch_sub(1) == 1 && (!slot->active.load() || slot->paused.load())) {
      // The last use of a withdrawn or paused provider: withdraw() or drain()
      // may be waiting. Taking the lock first means it is either before its
      // check or already waiting.
      std::unique_lock lock(mu_);
      drained_.notify_all();
    }
    t_open_uses.erase(std::next(it).base());
    return;
  }
}

}  // namespace hyperion::services
