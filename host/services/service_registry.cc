#include "services/service_registry.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace hyperion::services {
namespace {

// The slot each open use on this thread entered, so leave() decrements the same
// slot even if the provider was replaced in between.
thread_local std::vector<std::pair<hyperion_service*, std::shared_ptr<void>>> t_open_uses;

}  // namespace

void ServiceRegistry::publish(const std::string& provider, const std::string& api, uint32_t api_major,
                              const hyperion_service_ref_t& ref) {
  (void)api_major;  // the graph already matched majors; one slot per API name
  std::unique_lock lock(mu_);
  auto slot = std::make_shared<Slot>();
  slot->ref = ref;
  slot->active = true;
  slots_[{provider, api}] = slot;
}

size_t ServiceRegistry::withdraw(const std::string& provider, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  std::vector<std::shared_ptr<Slot>> withdrawn;
  for (auto it = slots_.begin(); it != slots_.end();) {
    if (it->first.first == provider) {
      it->second->active = false;
      withdrawn.push_back(it->second);
      it = slots_.erase(it);
    } else {
      ++it;
    }
  }
  auto in_flight = [&] {
    size_t n = 0;
    for (const auto& s : withdrawn) n += s->in_flight.load();
    return n;
  };
  drained_.wait_until(lock, deadline, [&] { return in_flight() == 0; });
  return in_flight();
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
    auto it = slots_.find({handle->provider, handle->api});
    if (it == slots_.end() || !it->second->active.load()) {
      return unavailable("service " + handle->api + " of instance \"" + handle->provider + "\" is not running");
    }
    slot = it->second;
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
    if (slot->in_flight.fetch_sub(1) == 1 && !slot->active.load()) {
      // The last use of a withdrawn provider: withdraw() may be waiting. Taking
      // the lock first means it is either before its check or already waiting.
      std::unique_lock lock(mu_);
      drained_.notify_all();
    }
    t_open_uses.erase(std::next(it).base());
    return;
  }
}

}  // namespace hyperion::services
