// What every outgoing call carries (CallSpec), who watches calls end
// (CallObserver), and how a call's outcome is handed to the caller across the
// ABI (deliver_result).
#pragma once

#include <grpcpp/grpcpp.h>
#include <hyperion/services/grpc_client.h>
#include <hyperion/services/trace.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "target.h"

namespace hyperion::plugins::grpc_client {

using Clock = std::chrono::steady_clock;

struct CallSpec {
  // The trace id of the call's "traceparent" (for log lines); empty if none.
  [[nodiscard]] std::string trace_id() const {
    for (const auto& [k, v] : metadata) {
      if (k == "traceparent" && v.size() == 55) return v.substr(3, 32);
    }
    return {};
  }
  std::shared_ptr<Target> target;
  std::string method;
  std::vector<std::pair<std::string, std::string>> metadata;  // "traceparent" included
  std::optional<Clock::time_point> deadline;                  // none: no deadline
  bool may_retry = false;                                     // idempotent by config or by the call's consent
  // For a method with a cache_ttl: its key in the target's ResponseCache, and
  // how long an OK answer stays there. Empty key: not cached.
  std::string cache_key;
  std::chrono::milliseconds cache_ttl{0};
  // The client span, when a tracing instance runs; its ids are the call's
  // "traceparent". Ended by end_client_span.
  std::shared_ptr<hyperion::trace::Span> span;
};

// The plugin's side of a call: metrics, logs, the breaker's transitions, and
// the bookkeeping of calls in flight.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // Once per call, when it ended, before the caller hears of it (so its
  // metrics are there once the caller has the answer).
  virtual void call_done(const CallSpec& spec, int32_t code, double seconds, uint32_t attempts,
                         const std::string& peer) = 0;
  // Once per call, after the caller's last callback returned: the call no
  // longer runs any caller code.
  virtual void call_released(uint64_t id) = 0;
  virtual void retrying(const Target& target, const std::string& method, int32_t code, const std::string& peer) = 0;
  virtual void breaker_changed(const Target& target, CircuitBreaker::State state) = 0;
  // A call answered from the target's cache, without an RPC (call_done follows).
  virtual void cache_hit(const CallSpec& spec) = 0;
};

// Applies the spec's metadata and deadline to a new attempt's context.
void prepare_context(grpc::ClientContext& ctx, const CallSpec& spec);

// Records an attempt's outcome in the target's breaker (codes the target
// expects are answers, not failures) and tells the observer of a transition.
void record_outcome(Target& target, int32_t code, CallObserver& observer);

// Records the outcome on the call's client span and ends it (when it records).
void end_client_span(const CallSpec& spec, int32_t code, const std::string& message, uint32_t attempts,
                     const std::string& peer);
// Notes a retry on the call's client span.
void note_retry(const CallSpec& spec, int32_t code, const std::string& peer);

// The bytes of a unary answer (for the cache).
std::string to_bytes(const grpc::ByteBuffer& buffer);
// Calls `done` with the outcome. `ctx` (may be null: no attempt was made)
// supplies the server's metadata; `response` is the unary answer.
void deliver_result(hyperion_grpc_client_done_fn done, void* user, int32_t code, const std::string& message,
                    grpc::ClientContext* ctx, const grpc::ByteBuffer* response, uint32_t attempts,
                    const std::string& peer);

}  // namespace hyperion::plugins::grpc_client
