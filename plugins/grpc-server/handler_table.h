// HandlerTable: which handler serves each full method name. Registering a
// method again stacks the new registration on top (new calls go to it; calls in
// flight stay with theirs), and removing one uncovers the previous: this is what
// lets a handler plugin be swapped while calls are in flight.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <hyperion/services/grpc_server.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "drain_gate.h"

namespace hyperion::plugins::grpc_server {

using hyperion::plugins::Cancellable;

// One registration: the handler, and (DrainGate) the calls it has in flight.
class Registration : public hyperion::plugins::DrainGate {
 public:
  Registration(uint64_t id, std::string method, const hyperion_grpc_handler_t& handler)
      : id_(id), method_(std::move(method)), handler_(handler) {}

  [[nodiscard]] uint64_t id() const noexcept { return id_; }
  [[nodiscard]] const std::string& method() const noexcept { return method_; }
  [[nodiscard]] const hyperion_grpc_handler_t& handler() const noexcept { return handler_; }

 private:
  const uint64_t id_;
  const std::string method_;
  const hyperion_grpc_handler_t handler_;
};

class HandlerTable {
 public:
  // Validates the method name and the handler; returns the new id, or 0 with
  // `error` set.
  uint64_t add(const std::string& method, const hyperion_grpc_handler_t& handler, std::string& error);
  // Takes the registration out of the table (nullptr when unknown).
  std::shared_ptr<Registration> remove(uint64_t id);

  struct Lookup {
    std::shared_ptr<Registration> registration;  // nullptr: no handler now
    bool known = false;                          // the method had a handler once
  };
  [[nodiscard]] Lookup find(const std::string& method) const;

  // Distinct service names ("pkg.Service") that have a handler now, sorted.
  [[nodiscard]] std::vector<std::string> services() const;
  [[nodiscard]] size_t method_count() const;

 private:
  mutable std::shared_mutex mu_;
  uint64_t next_id_ = 1;
  // method -> registrations, newest last
  std::map<std::string, std::vector<std::shared_ptr<Registration>>, std::less<>> methods_;
};

// "/pkg.Service/Method" -> "pkg.Service" (empty when malformed).
std::string service_of(const std::string& method);

}  // namespace hyperion::plugins::grpc_server
