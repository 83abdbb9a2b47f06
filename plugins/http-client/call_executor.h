// CallExecutor: performs one HTTP call with everything the client promises:
// the per-host circuit breaker, a pooled keep-alive connection, per-attempt
// connect/read timeouts inside the call's total timeout, retries with backoff
// (or Retry-After) for idempotent calls, the response size cap, and a child
// traceparent. What it observes goes to an Observer (metrics, logs).
// Thread-safety: perform() may run on many threads at once; stop() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hyperion/plugin.hpp>

#include "circuit_breaker.h"
#include "client_settings.h"
#include "connection_pool.h"
#include "target_cache.h"

namespace hyperion::plugins::http_client {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using HeaderViews = std::vector<std::pair<std::string_view, std::string_view>>;

// One call as the caller made it: views of the caller's request, valid until
// perform() returns (an asynchronous call keeps its own copy for them to view).
struct CallRequest {
  std::string_view method;
  std::string_view url;
  HeaderViews headers;
  std::string_view body;
  Millis timeout{0};    // 0: the configured timeout
  int max_retries = -1;  // -1: the configured max_retries
  int idempotent = -1;   // -1: by method
  std::string_view traceparent;
  // traceparent is the client span's own (sent as it is), not the caller's
  // (of which each call sends a child).
  bool traceparent_is_own_span = false;
  // That own span was sampled (its trace is exported): the attempts' durations
  // carry its ids as exemplars.
  bool own_span_sampled = false;
  // Told of each retry: what failed and where (the client span's events).
  std::function<void(const std::string& why)> on_retry;
};

struct CallResult {
  hyperion_status_t status = HYPERION_OK;
  std::string error;  // when status is not OK
  int http_status = 0;
  HeaderList headers;  // names lower case
  std::string body;
  uint32_t attempts = 0;
};

// What the client keeps per host ("host:port"): its breaker and the metric
// labels naming it, made once rather than on every call.
struct HostState {
  explicit HostState(std::string host_port)
      : host(std::move(host_port)), host_label(hyperion::labels({{"host", host}})) {}
  const std::string host;
  const std::string host_label;  // {"host":"host:port"}
  CircuitBreaker breaker;
};

class CallObserver {
 public:
  // One attempt ended: `status` is the HTTP status, or 0 for a transport error.
  // `trace_id`, `span_id`: the client span's when a tracer sampled it (else
  // empty), for the duration's exemplar.
  virtual void attempt_done(const HostState& host, int status, double seconds, std::string_view trace_id,
                            std::string_view span_id) = 0;
  virtual void retrying(const HostState& host) = 0;
  // The host's breaker moved to `state` (reported on every change).
  virtual void breaker_state(const HostState& host, CircuitBreaker::State state) = 0;
  virtual void warn(const std::string& message) = 0;

 protected:
  ~CallObserver() = default;
};

// Where each attempt of a discovery:// call goes (the discovery service), and
// how it went: retries go to another pick, and failures count toward ejecting
// the instance.
class InstancePicker {
 public:
  struct Picked {
    std::string host;
    int port = 0;
    uint64_t ticket = 0;
  };
  enum class Outcome { kSuccess, kFailure, kCancelled };
  // An instance of `service`, or nullopt with `why` (none healthy, no discovery service).
  virtual std::optional<Picked> pick(const std::string& service, std::string& why) = 0;
  virtual void report(uint64_t ticket, Outcome outcome) = 0;

 protected:
  ~InstancePicker() = default;
};

class CallExecutor {
 public:
  explicit CallExecutor(CallObserver& observer) : observer_(observer) {}

  // `picker` serves discovery:// URLs; without one they fail naming the service.
  CallResult perform(const CallRequest& request, const Settings& settings, InstancePicker* picker = nullptr);
  // Waits between retries end at once and their calls fail with ABORTED.
  void stop();

  // Hosts whose breaker is not closed, with its state.
  std::vector<std::pair<std::string, CircuitBreaker::State>> unhealthy_breakers(const Settings& settings);

 private:
  HostState& host_state(const std::string& host_port);
  // Sleeps `d`; false when stop() came first.
  bool wait(Millis d);
  Millis jittered_backoff(int retry, const Settings& s);

  CallObserver& observer_;
  TargetCache targets_;
  ConnectionPool pool_;
  std::mutex mu_;  // rng_, stopped_
  std::condition_variable stop_cv_;
  bool stopped_ = false;
  // Looked up by every call, added to once per host: never removed.
  std::shared_mutex hosts_mu_;
  std::map<std::string, std::unique_ptr<HostState>, std::less<>> hosts_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::atomic<bool> response_parsed_{false};
  std::mutex first_response_mu_;
};

}  // namespace hyperion::plugins::http_client
