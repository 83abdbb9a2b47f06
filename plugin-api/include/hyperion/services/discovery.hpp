// hyperion/services/discovery.hpp — C++ helpers for plugins that register and
// find services through the "discovery" service (hyperion/services/discovery.h
// has the rules: readiness, health, tickets, threads).
//
//   hyperion::discovery::Client registry(ctx.acquire(HYPERION_DISCOVERY_API, 1));
//   registry.register_instance({"users", "a-9091", "10.0.0.7", 9091, {"grpc"}, {{"version", "2"}}});
//   std::vector<hyperion::discovery::Instance> all = registry.resolve({"orders", {}, {}});  // service, tags, meta
//   hyperion::discovery::Picked one = registry.pick({"orders", {}, {}});
//   ... call one.instance.address:one.instance.port ...
//   one.report(HYPERION_DISCOVERY_SUCCESS);   // exactly once; the destructor reports CANCELLED if you did not
//
// Errors throw hyperion::Error with the plugin's status and message.
#ifndef HYPERION_SERVICES_DISCOVERY_HPP_
#define HYPERION_SERVICES_DISCOVERY_HPP_

#include <hyperion/services/discovery.h>
#include <hyperion/plugin.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hyperion::discovery {

struct Instance {
  std::string service;
  std::string id;
  std::string address;
  uint32_t port = 0;
  std::vector<std::string> tags;
  std::map<std::string, std::string> meta;

  bool operator==(const Instance&) const = default;
};

struct Query {
  std::string service;
  std::vector<std::string> tags;            // every one must be present
  std::map<std::string, std::string> meta;  // every pair must match
};

namespace detail {

// The C view of tags and metadata; points into them, so they must outlive this.
struct CLabels {
  CLabels(const std::vector<std::string>& t, const std::map<std::string, std::string>& m) {
    for (const std::string& tag : t) tags.push_back(to_str(tag));
    for (const auto& [k, v] : m) meta.push_back({to_str(k), to_str(v)});
  }
  std::vector<hyperion_str_t> tags;
  std::vector<hyperion_discovery_pair_t> meta;
};

// The C view of an Instance; points into it, so it must outlive this.
struct CInstance {
  explicit CInstance(const Instance& i) : labels(i.tags, i.meta) {
    raw.struct_size = sizeof raw;
    raw.service = to_str(i.service);
    raw.id = to_str(i.id);
    raw.address = to_str(i.address);
    raw.port = i.port;
    raw.tags = labels.tags.data();
    raw.tag_count = labels.tags.size();
    raw.meta = labels.meta.data();
    raw.meta_count = labels.meta.size();
  }
  CLabels labels;
  hyperion_discovery_instance_t raw{};
};

// The C view of a Query; points into it, so it must outlive this.
struct CQuery {
  explicit CQuery(const Query& q) : labels(q.tags, q.meta) {
    raw.struct_size = sizeof raw;
    raw.service = to_str(q.service);
    raw.tags = labels.tags.data();
    raw.tag_count = labels.tags.size();
    raw.meta = labels.meta.data();
    raw.meta_count = labels.meta.size();
  }
  CLabels labels;
  hyperion_discovery_query_t raw{};
};

inline Instance from_c(const hyperion_discovery_instance_t& c) {
  Instance i;
  i.service = std::string(to_view(c.service));
  i.id = std::string(to_view(c.id));
  i.address = std::string(to_view(c.address));
  i.port = c.port;
  for (size_t t = 0; t < c.tag_count; ++t) i.tags.emplace_back(to_view(c.tags[t]));
  for (size_t m = 0; m < c.meta_count; ++m)
    i.meta[std::string(to_view(c.meta[m].key))] = std::string(to_view(c.meta[m].value));
  return i;
}

inline std::vector<Instance> from_c(const hyperion_discovery_instance_t* list, size_t count) {
  std::vector<Instance> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(from_c(list[i]));
  return out;
}

inline hyperion_error_t new_error() {
  hyperion_error_t err{};
  err.struct_size = sizeof err;
  return err;
}

}  // namespace detail

class Client;

// A picked instance and its ticket. Report the outcome once; if it is never
// reported, the destructor reports HYPERION_DISCOVERY_CANCELLED.
class Picked {
 public:
  Instance instance;

  Picked(Picked&& o) noexcept
      : instance(std::move(o.instance)), client_(std::exchange(o.client_, nullptr)), ticket_(o.ticket_) {}
  Picked& operator=(Picked&&) = delete;
  Picked(const Picked&) = delete;
  ~Picked() { report(HYPERION_DISCOVERY_CANCELLED); }
  inline void report(hyperion_discovery_outcome_t outcome);
  // Hands the ticket over (reported later with Client::report); nothing is
  // reported for it here any more.
  uint64_t release() {
    client_ = nullptr;
    return ticket_;
  }

 private:
  friend class Client;
  Picked(Instance i, const Client* client, uint64_t ticket)
      : instance(std::move(i)), client_(client), ticket_(ticket) {}
  const Client* client_;
  uint64_t ticket_;
};

class Client {
 public:
  explicit Client(ServiceHandle handle) : handle_(std::move(handle)) {}
  Client(Client&&) noexcept = default;
  Client& operator=(Client&&) = delete;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  // Ends the watches still open first: the plugin must not call a callback
  // this object owns once it is gone.
  ~Client() {
    if (watches_.empty()) return;
    try {
      auto use = handle_.enter<hyperion_discovery_v1_t>();
      for (const auto& [id, fn] : watches_) use.vtable()->unwatch(use.ctx(), id);
    } catch (...) {
      // No provider any more: nothing left to call the callbacks.
    }
  }

  void register_instance(const Instance& instance) const {
    detail::CInstance c(instance);
    auto err = detail::new_error();
    auto use = handle_.enter<hyperion_discovery_v1_t>();
    if (hyperion_status_t s = use.vtable()->register_instance(use.ctx(), &c.raw, &err); s != HYPERION_OK) {
      throw Error(s, err.message);
    }
  }

  void deregister_instance(const std::string& service, const std::string& id) const {
    auto err = detail::new_error();
    auto use = handle_.enter<hyperion_discovery_v1_t>();
    if (hyperion_status_t s = use.vtable()->deregister_instance(use.ctx(), to_str(service), to_str(id), &err);
        s != HYPERION_OK) {
      throw Error(s, err.message);
    }
  }

  std::vector<Instance> resolve(const Query& query) const {
    detail::CQuery c(query);
    std::vector<Instance> out;
    auto err = detail::new_error();
    auto use = handle_.enter<hyperion_discovery_v1_t>();
    hyperion_status_t s = use.vtable()->resolve(
        use.ctx(), &c.raw,
        [](void* user, const hyperion_discovery_instance_t* list, size_t count) {
          *static_cast<std::vector<Instance>*>(user) = detail::from_c(list, count);
        },
        &out, &err);
    if (s != HYPERION_OK) throw Error(s, err.message);
    return out;
  }

  // Throws hyperion::Error (HYPERION_ERR_UNAVAILABLE) when no instance is healthy.
  Picked pick(const Query& query) const {
    detail::CQuery c(query);
    struct Out {
      Instance instance;
      uint64_t ticket = 0;
    } out;
    auto err = detail::new_error();
    auto use = handle_.enter<hyperion_discovery_v1_t>();
    hyperion_status_t s = use.vtable()->pick(
        use.ctx(), &c.raw,
        [](void* user, const hyperion_discovery_instance_t* instance, uint64_t ticket) {
          auto* o = static_cast<Out*>(user);
          o->instance = detail::from_c(*instance);
          o->ticket = ticket;
        },
        &out, &err);
    if (s != HYPERION_OK) throw Error(s, err.message);
    return Picked(std::move(out.instance), this, out.ticket);
  }

  // `on_change` runs on a thread of the plugin with the full set, now and
  // after every change. Keep what it uses alive until unwatch() returns.
  using OnChange = std::function<void(const std::vector<Instance>&)>;
  uint64_t watch(const Query& query, OnChange on_change) {
    detail::CQuery c(query);
    auto holder = std::make_unique<OnChange>(std::move(on_change));
    uint64_t id = 0;
    auto err = detail::new_error();
    auto use = handle_.enter<hyperion_discovery_v1_t>();
    hyperion_status_t s = use.vtable()->watch(
        use.ctx(), &c.raw,
        [](void* user, const hyperion_discovery_instance_t* list, size_t count) {
          try {
            (*static_cast<OnChange*>(user))(detail::from_c(list, count));
          } catch (...) {
            // Nothing may cross back into the plugin; the callback's failure is its own.
          }
        },
        holder.get(), &id, &err);
    if (s != HYPERION_OK) throw Error(s, err.message);
    watches_[id] = std::move(holder);
    return id;
  }

  void unwatch(uint64_t id) {
    {
      auto use = handle_.enter<hyperion_discovery_v1_t>();
      use.vtable()->unwatch(use.ctx(), id);
    }
    watches_.erase(id);
  }

  // Ends a picked call whose ticket was released from its Picked.
  void report(uint64_t ticket, hyperion_discovery_outcome_t outcome) const noexcept {
    try {
      auto use = handle_.enter<hyperion_discovery_v1_t>();
      use.vtable()->report(use.ctx(), ticket, outcome);
    } catch (...) {
      // No provider any more: nothing left to report to.
    }
  }

 private:
  ServiceHandle handle_;
  std::map<uint64_t, std::unique_ptr<OnChange>> watches_;
};

inline void Picked::report(hyperion_discovery_outcome_t outcome) {
  if (client_ != nullptr) std::exchange(client_, nullptr)->report(ticket_, outcome);
}

}  // namespace hyperion::discovery

#endif  // HYPERION_SERVICES_DISCOVERY_HPP_
