// Exchange: one request and its response as the http.server ABI shows them to
// a handler (hyperion_http_exchange_t). The request is immutable once built;
// the response is filled by the handler from any thread and taken by the
// session (session.h), which writes it on the connection's strand.
// Thread-safety: ops may be called from any thread; run_* only on the strand.
#pragma once

#include <hyperion/services/http_server.h>
#include <hyperion/services/trace.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "route_table.h"
#include "traceparent.h"

namespace hyperion::http_engine {

using plugins::TraceContext;

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  // The server span's W3C trace context: the client's trace continued, or a
  // new one. Made on first use: most requests are neither traced nor logged.
  [[nodiscard]] const TraceContext& trace() const;
  [[nodiscard]] const std::string& traceparent() const;  // trace().header()

  std::string method;
  std::string target;
  std::string path;  // decoded
  Fields params;
  Fields query;
  Fields headers;  // names lower-case
  std::string body;
  std::string peer;
  std::string incoming_traceparent;  // what the client sent
  std::string request_id;
  uint64_t deadline_ns = UINT64_MAX;
  std::chrono::steady_clock::time_point received;
  uint64_t received_unix_ns = 0;
  [[nodiscard]] bool head() const { return method == "HEAD"; }
  // The server span when a tracing instance runs, started once the route is
  // known (its name is "METHOD route") and ended by the session's record().
  // Touched only on the connection's strand; trace() follows its ids.
  mutable hyperion::trace::Span span;
  mutable bool span_started = false;

 private:
  mutable std::once_flag trace_once_;
  mutable TraceContext trace_;
  mutable std::string traceparent_;
};

// What the handler produced since the session last looked.
struct ExchangeOutput {
  bool has_head = false;  // status and headers (the first time only)
  bool stream = false;    // with has_head: a chunked stream follows
  int status = 0;
  Fields headers;
  std::string body;                 // a whole response's body
  std::vector<std::string> chunks;  // pieces of a stream, in order
  bool ended = false;               // respond or end_stream was called
  bool cancel_requested = false;    // cancel() was called and on_cancel has not run
};

// Who writes an exchange's answer: told (any thread) to look at it again.
class ExchangeWaker {
 public:
  virtual void wake() = 0;

 protected:
  ~ExchangeWaker() = default;
};

class Exchange final : public Cancellable {
 public:
  // The exchange holds `waker` (the session) until detach(): the session lives
  // as long as the handler may still answer.
  Exchange(std::shared_ptr<const Request> request, std::shared_ptr<RouteRegistration> registration,
           std::shared_ptr<ExchangeWaker> waker);
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;
  ~Exchange();

  [[nodiscard]] const Request& request() const noexcept { return *request_; }
  [[nodiscard]] const RouteRegistration& registration() const noexcept { return *registration_; }
  [[nodiscard]] bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
  // What the handler noted about its failure (note_error), for the log.
  [[nodiscard]] std::string error_note();

  // --- the session's side, on the strand ---
  // Runs on_request; returns false when it threw (`what` says what; the
  // exchange then counts as ended by the handler).
  bool run_on_request(std::string& what);
  void run_on_cancel();
  // Runs on_done (once) and leaves the registration's drain gate.
  void run_on_done();
  ExchangeOutput take();
  // The server answered in the handler's place (timeout) or the client is
  // gone: what the handler sends from now on is dropped (and told ABORTED).
  void abandon();
  // Drops the waker (breaking the session <-> exchange cycle).
  void detach();

  // Cancellable (any thread): marks it cancelled and wakes the session.
  void cancel() override;

 private:
  struct Raw {
    hyperion_http_exchange_t abi;
    Exchange* self;
  };
  static const hyperion_http_exchange_ops_t kOps;
  static Exchange& of(const hyperion_http_exchange_t* ex) { return *reinterpret_cast<const Raw*>(ex)->self; }

  hyperion_status_t add_header(std::string_view name, std::string_view value, hyperion_error_t* err);
  hyperion_status_t answer(int32_t status, std::string_view body, bool stream, hyperion_error_t* err);
  hyperion_status_t write(std::string_view chunk, hyperion_error_t* err);
  void end_stream();
  void wake_locked(std::unique_lock<std::mutex>& lock);

  const std::shared_ptr<const Request> request_;
  const std::shared_ptr<RouteRegistration> registration_;
  Raw raw_;
  void* state_ = nullptr;
  bool done_run_ = false;
  std::atomic<bool> cancelled_{false};

  std::mutex mu_;
  std::shared_ptr<ExchangeWaker> waker_;
  bool in_callback_ = false;  // on_request is running: the session looks afterwards
  enum class Phase { kWaiting, kResponded, kStreaming, kEnded } phase_ = Phase::kWaiting;
  bool abandoned_ = false;
  ExchangeOutput out_;
  std::string error_note_;
};

// The W3C/RFC 9110 rules the ops check.
bool valid_header_name(std::string_view name);
bool valid_header_value(std::string_view value);

}  // namespace hyperion::http_engine
