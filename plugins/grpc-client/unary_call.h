// UnaryCall: one unary call with everything the client promises — the
// target's breaker, an instance picked by the policy, the deadline over every
// attempt, retries on the configured codes (another instance when there is
// one, after a jittered exponential backoff), cancellation — ending exactly
// once in the caller's `done`.
// Thread-safety: start() once; cancel() from any thread, any number of times.
#pragma once

#include <grpcpp/generic/generic_stub.h>

#include <memory>
#include <mutex>
#include <string>

#include "call_spec.h"
#include "retry_timer.h"

namespace hyperion::plugins::grpc_client {

class UnaryCall : public std::enable_shared_from_this<UnaryCall> {
 public:
  UnaryCall(uint64_t id, CallSpec spec, hyperion_bytes_t request, hyperion_grpc_client_done_fn done, void* user,
            CallObserver& observer, RetryTimer& timer);
  void start();
  void cancel();

 private:
  void attempt();
  void attempt_done(const grpc::Status& status);
  // Retries after a backoff when the code, the method and the time left allow; false otherwise.
  bool retry_later(int32_t code);
  void finish(int32_t code, const std::string& message);

  const uint64_t id_;
  const CallSpec spec_;
  grpc::ByteBuffer request_;
  const hyperion_grpc_client_done_fn done_;
  void* const user_;
  CallObserver& observer_;
  RetryTimer& timer_;
  const Clock::time_point started_ = Clock::now();

  std::mutex mu_;
  bool cancelled_ = false;
  bool finished_ = false;
  uint32_t tries_ = 0;                        // loop turns, including those that found no instance
  uint32_t attempts_ = 0;                     // RPCs sent
  std::shared_ptr<grpc::ClientContext> ctx_;  // the last attempt that was sent
  uint64_t waiting_ = 0;                      // the backoff wait's timer id, while waiting
  std::shared_ptr<Endpoint> endpoint_;        // the last attempt's instance
  grpc::ByteBuffer response_;
};

}  // namespace hyperion::plugins::grpc_client
