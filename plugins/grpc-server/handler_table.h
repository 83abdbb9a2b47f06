// HandlerTable: which handler serves each full method name. Registering a
// method again stacks the new registration on top (new calls go to it; calls in
// flight stay with theirs), and removing one uncovers the previous: this is what
// lets a handler plugin be swapped while calls are in flight.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <hyperion/services/grpc_server.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace hyperion::plugins::grpc_server {

// Something the table can cancel when a registration's drain deadline passes.
class Cancellable {
 public:
  virtual void cancel() = 0;

 protected:
  ~Cancellable() = default;
};

// One registration: the handler and the calls it has in flight.
class Registration {
 public:
  Registration(uint64_t id, std::string method, const hyperion_grpc_handler_t& handler)
      : id_(id), method_(std::move(method)), handler_(handler) {}

  [[nodiscard]] uint64_t id() const noexcept { return id_; }
  [[nodiscard]] const std::string& method() const noexcept { return method_; }
  [[nodiscard]] const hyperion_grpc_handler_t& handler() const noexcept { return handler_; }

  // A call starts; false once the registration is closed (it then must not run).
  bool begin(Cancellable* call);
  // The call delivered on_done.
  void end(Cancellable* call);
  // No new call may begin; waits until none is in flight. Calls still running
  // shortly before `deadline` (a fifth of the time left, at most 100 ms) are
  // cancelled, and their handlers get until `deadline` to finish. Returns
  // false when some were still running at the deadline.
  bool close_and_drain(std::chrono::steady_clock::time_point deadline);
  [[nodiscard]] size_t in_flight() const;

 private:
  const uint64_t id_;
  const std::string method_;
  const hyperion_grpc_handler_t handler_;
  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::set<Cancellable*> calls_;
  bool closed_ = false;
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
