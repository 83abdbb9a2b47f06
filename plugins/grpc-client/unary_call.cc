#include "unary_call.h"

#include <random>

#include "backoff.h"

namespace hyperion::plugins::grpc_client {
namespace {

thread_local std::mt19937_64 backoff_rng{std::random_device{}()};

}  // namespace

UnaryCall::UnaryCall(uint64_t id, CallSpec spec, hyperion_bytes_t request, hyperion_grpc_client_done_fn done,
                     void* user, CallObserver& observer, RetryTimer& timer)
    : id_(id), spec_(std::move(spec)), done_(done), user_(user), observer_(observer), timer_(timer) {
  grpc::Slice slice(request.data, request.size);
  request_ = grpc::ByteBuffer(&slice, 1);
}

void UnaryCall::start() { attempt(); }

void UnaryCall::cancel() {
  std::shared_ptr<grpc::ClientContext> ctx;
  uint64_t waiting = 0;
  {
    std::lock_guard lock(mu_);
    if (cancelled_ || finished_) return;
    cancelled_ = true;
    ctx = ctx_;
    waiting = waiting_;
  }
  if (waiting != 0) {
    timer_.cancel(waiting);  // the wait ends at once and the call finishes CANCELLED
  } else if (ctx) {
    ctx->TryCancel();
  }
}

void UnaryCall::attempt() {
  Target& target = *spec_.target;
  const TargetSettings& s = target.settings();
  std::shared_ptr<Endpoint> previous;
  bool cancelled = false;
  {
    std::lock_guard lock(mu_);
    waiting_ = 0;
    cancelled = cancelled_;
    if (!cancelled) ++tries_;
    previous = endpoint_;
  }
  if (cancelled) return finish(HYPERION_GRPC_CANCELLED, "cancelled by the caller");
  if (spec_.deadline && Clock::now() >= *spec_.deadline) {
    return finish(HYPERION_GRPC_DEADLINE_EXCEEDED, "deadline exceeded before " + s.name + " could be called");
  }
  std::shared_ptr<Endpoint> endpoint = target.pick(previous.get());
  if (!endpoint) {
    // Not an instance's fault: the breaker is not told of it.
    const std::string why = s.discovery_service.empty()
                                ? "target " + s.name + " has no address"
                                : "no instance of discovery:///" + s.discovery_service + " (target " + s.name + ")";
    if (retry_later(HYPERION_GRPC_UNAVAILABLE)) return;
    return finish(HYPERION_GRPC_UNAVAILABLE, why);
  }
  if (!target.breaker().allow(s.breaker, CircuitBreaker::Clock::now())) {
    return finish(HYPERION_GRPC_UNAVAILABLE, "circuit breaker open for target " + s.name);
  }
  auto ctx = std::make_shared<grpc::ClientContext>();
  prepare_context(*ctx, spec_);
  {
    std::lock_guard lock(mu_);
    ctx_ = ctx;
    endpoint_ = endpoint;
    ++attempts_;
    // A cancel that came in between: the new attempt starts cancelled.
    if (cancelled_) ctx->TryCancel();
  }
  endpoint->in_flight.fetch_add(1, std::memory_order_relaxed);
  grpc::GenericStub stub(endpoint->channel());
  stub.UnaryCall(ctx.get(), spec_.method, grpc::StubOptions(), &request_, &response_,
                 [self = shared_from_this()](grpc::Status status) { self->attempt_done(status); });
}

void UnaryCall::attempt_done(const grpc::Status& status) {
  std::shared_ptr<Endpoint> endpoint;
  bool cancelled = false;
  {
    std::lock_guard lock(mu_);
    endpoint = endpoint_;
    cancelled = cancelled_;
  }
  endpoint->in_flight.fetch_sub(1, std::memory_order_relaxed);
  const auto code = static_cast<int32_t>(status.error_code());
  record_outcome(*spec_.target, code, observer_);
  if (code != HYPERION_GRPC_OK && !cancelled && retry_later(code)) {
    note_retry(spec_, code, endpoint->address());
    observer_.retrying(*spec_.target, spec_.method, code, endpoint->address());
    return;
  }
  finish(code, status.error_message());
}

bool UnaryCall::retry_later(int32_t code) {
  const TargetSettings& s = spec_.target->settings();
  if (!spec_.may_retry || s.retry.on.count(code) == 0) return false;
  std::lock_guard lock(mu_);
  if (cancelled_ || tries_ >= s.retry.max_attempts) return false;
  const auto wait = backoff(static_cast<int>(tries_ - 1), s.retry.initial_backoff, s.retry.max_backoff, backoff_rng);
  if (spec_.deadline && Clock::now() + wait >= *spec_.deadline) return false;
  waiting_ = timer_.schedule(Clock::now() + wait, [self = shared_from_this()](bool fired) {
    if (fired) {
      self->attempt();
    } else {
      self->finish(HYPERION_GRPC_CANCELLED, "cancelled by the caller");
    }
  });
  return true;
}

void UnaryCall::finish(int32_t code, const std::string& message) {
  std::shared_ptr<grpc::ClientContext> ctx;
  std::string peer;
  uint32_t attempts = 0;
  {
    std::lock_guard lock(mu_);
    finished_ = true;
    ctx = ctx_;
    attempts = attempts_;
    if (endpoint_) peer = endpoint_->address();
  }
  if (code == HYPERION_GRPC_OK && !spec_.cache_key.empty()) {
    spec_.target->cache().put(spec_.cache_key, to_bytes(response_), Clock::now() + spec_.cache_ttl,
                              spec_.target->settings().cache_max_entries);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  observer_.call_done(spec_, code, seconds, attempts, peer);
  end_client_span(spec_, code, message, attempts, peer);
  deliver_result(done_, user_, code, message, ctx.get(), &response_, attempts, peer);
  observer_.call_released(id_);
}

}  // namespace hyperion::plugins::grpc_client
