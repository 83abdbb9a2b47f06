// ServerCall: one RPC, as gRPC's generic callback reactor on one side and the
// grpc.server ABI's hyperion_grpc_call_t on the other (the call model is in
// hyperion/services/grpc_server.h).
//
// Thread-safety: gRPC reactions (OnReadDone, OnWriteDone, OnCancel, OnDone) and
// the handler's ops (send, finish, ...) arrive on any thread. All state is
// guarded by mu_; handler callbacks are serialized by callback_mu_ and never run
// with mu_ held, so a handler may call ops from inside them. gRPC is only
// called by the one thread that claimed the operation under mu_.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <hyperion/services/grpc_server.h>
#include <hyperion/services/trace.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "handler_table.h"
#include "traceparent.h"

namespace hyperion::plugins::grpc_server {

// What gRPC says about a call beyond its method, read once on first use.
struct CallDetails {
  std::string peer;
  std::vector<std::pair<std::string, std::string>> metadata;
  hyperion::plugins::TraceContext trace;
  std::string traceparent;  // trace.header()
  // The server span, when a tracing instance runs (else it only has ids).
  hyperion::trace::Span span;
};

// What the interceptors see of a finished call.
struct CallRecord {
  const std::string& method;
  bool known_method;
  // Peer, metadata and trace; null unless the observer wants_details().
  const struct CallDetails* details;
  ::grpc::StatusCode code;
  const std::string& message;
  std::chrono::nanoseconds duration;
  uint64_t messages_in;
  uint64_t messages_out;
};

// The interceptor chain's end points, implemented by the plugin: log lines,
// metrics, and the errors a handler made.
class CallObserver {
 public:
  virtual void call_finished(const CallRecord& record) = 0;
  virtual void handler_failed(const std::string& method, const std::string& what) = 0;
  // Whether call_finished needs the peer and trace (the access log does).
  [[nodiscard]] virtual bool wants_details() const = 0;
  // The tracer of the running tracing instance, or null when none runs: then
  // no span is started and details stay lazy.
  [[nodiscard]] virtual const hyperion::trace::Tracer* tracer() const = 0;

 protected:
  ~CallObserver() = default;
};

class ServerCall final : public ::grpc::ServerGenericBidiReactor, public Cancellable {
 public:
  // `lookup.registration` may be null: the call is then answered UNIMPLEMENTED
  // (never registered) or UNAVAILABLE (registered once, not now).
  // Finds the method's handler in `table` and begins the call on it.
  ServerCall(::grpc::GenericCallbackServerContext* ctx, const HandlerTable& table, CallObserver& observer);
  ServerCall(const ServerCall&) = delete;
  ServerCall& operator=(const ServerCall&) = delete;

  // ::grpc::ServerGenericBidiReactor
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;
  // Cancellable
  void cancel() override;

  // The ABI's ops, on the public handle.
  static const hyperion_grpc_call_ops_t kOps;

 private:
  ~ServerCall() override;

  // The handle handed to the handler; `owner` leads back here.
  struct PublicCall : hyperion_grpc_call_t {
    ServerCall* owner;
  };
  static ServerCall* self(const hyperion_grpc_call_t* call) {
    return static_cast<const PublicCall*>(call)->owner;
  }

  using Details = CallDetails;
  // Reads peer, metadata and trace context from gRPC on first use; after gRPC
  // is done with the call, returns what was read (empty if nothing was).
  const Details& details();
  void start_handler();
  void acquire_published_state();
  // Runs one handler callback, serialized with the others, unless the handler
  // already finished; delivers on_done afterwards when it is due.
  template <typename Callback>
  void run_callback(Callback&& callback);
  void deliver_done();
  // Ends the server span with the call's outcome (only when it records).
  void end_span(::grpc::StatusCode code, const std::string& message);
  void handler_threw(const std::string& what);
  // Under mu_: claims the next gRPC operation that is due (a write or the
  // finish); the caller performs it after unlocking.
  struct Operation {
    enum Kind { kNone, kWrite, kFinish, kWriteAndFinish } kind = kNone;
    ::grpc::ByteBuffer* buffer = nullptr;
    ::grpc::Status status;
  };
  Operation next_operation_locked();
  void perform(Operation op);

  // ops
  hyperion_status_t send(hyperion_bytes_t message, hyperion_error_t* err);
  void finish(hyperion_grpc_code_t code, hyperion_str_t message);
  hyperion_status_t add_metadata(int32_t which, hyperion_str_t key, hyperion_bytes_t value, hyperion_error_t* err);

  ::grpc::GenericCallbackServerContext* const ctx_;
  CallObserver& observer_;
  std::shared_ptr<Registration> registration_;  // set once, in the constructor
  bool known_method_ = false;
  hyperion_grpc_kind_t kind_ = HYPERION_GRPC_UNARY;  // set once, in the constructor
  const std::chrono::steady_clock::time_point started_;
  PublicCall public_{};
  void* state_ = nullptr;
  std::string method_;
  uint64_t deadline_ns_ = UINT64_MAX;
  ::grpc::ByteBuffer read_buffer_;
  std::string read_scratch_;
  std::atomic<bool> cancelled_{false};
  bool begun_ = false;  // registration_->begin succeeded

  std::mutex ctx_mu_;  // ctx_ is gRPC's and gone after OnDone; guards details_ too
  bool ctx_gone_ = false;
  bool details_ready_ = false;
  Details details_;

  std::mutex callback_mu_;  // held while a handler callback runs
  std::mutex mu_;           // everything below
  bool in_callback_ = false;
  bool handler_finished_ = false;
  bool done_delivered_ = false;
  bool released_ = false;  // on_done returned (or there is no handler)
  bool grpc_done_ = false;
  bool finish_wanted_ = false;
  bool wire_finished_ = false;
  bool writing_ = false;
  bool initial_metadata_sent_ = false;
  std::deque<::grpc::ByteBuffer> pending_writes_;
  std::optional<::grpc::ByteBuffer> single_response_;  // unary / client-streaming
  ::grpc::Status final_status_;
  uint64_t messages_in_ = 0;
  uint64_t messages_out_ = 0;
};

}  // namespace hyperion::plugins::grpc_server
