// GrpcClientPlugin: provides grpc.client 1.0. Keeps a Target per configured
// target (channels, balancer, breaker); discovery:/// targets follow the
// discovery service's watch. Unary calls and streams run on gRPC's callback
// threads; a reload builds the changed targets' channels before it commits
// (make-before-break) and calls in flight finish on the targets they started
// with. Reports degraded while a required target has no instance or its
// breaker is open. Metrics per target and method through the host API.
// Thread-safety: calls from any thread; lifecycle and reload hooks are
// serialized by the host.
#pragma once

#include <hyperion/services/grpc_client.h>
#include <hyperion/plugin.hpp>
#include <hyperion/services/discovery.hpp>
#include <hyperion/services/trace.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "call_spec.h"
#include "retry_timer.h"
#include "target.h"
#include "target_settings.h"

namespace hyperion::plugins::grpc_client {

class UnaryCall;
class ClientStream;

// The targets in force (or prepared by a reload), built from one Settings.
struct TargetTable {
  std::shared_ptr<const Settings> settings;
  std::map<std::string, std::shared_ptr<Target>> targets;
  std::map<std::string, uint64_t> watches;  // discovery watch ids, by target name
};

class GrpcClientPlugin final : public CallObserver {
 public:
  GrpcClientPlugin(hyperion::Context& ctx, const boost::json::object& config);
  ~GrpcClientPlugin() override;

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& config, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();
  hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);

  // CallObserver
  void call_done(const CallSpec& spec, int32_t code, double seconds, uint32_t attempts,
                 const std::string& peer) override;
  void call_released(uint64_t id) override;
  void retrying(const Target& target, const std::string& method, int32_t code, const std::string& peer) override;
  void cache_hit(const CallSpec& spec) override;
  void breaker_changed(const Target& target, CircuitBreaker::State state) override;

 private:
  static const hyperion_grpc_client_v1_t kService;
  static hyperion_status_t unary(void* ctx, const hyperion_grpc_client_call_t* call, hyperion_bytes_t request,
                                 hyperion_grpc_client_done_fn done, void* user, hyperion_error_t* err);
  static hyperion_status_t unary_async(void* ctx, const hyperion_grpc_client_call_t* call, hyperion_bytes_t request,
                                       hyperion_grpc_client_done_fn done, void* user, uint64_t* out_id,
                                       hyperion_error_t* err);
  static void cancel(void* ctx, uint64_t id);
  static hyperion_status_t open_stream(void* ctx, const hyperion_grpc_client_call_t* call,
                                       const hyperion_grpc_client_stream_handler_t* handler,
                                       hyperion_grpc_client_stream_t** out_stream, hyperion_error_t* err);
  static hyperion_status_t stream_write(void* ctx, hyperion_grpc_client_stream_t* stream, hyperion_bytes_t message,
                                        hyperion_error_t* err);
  static void stream_close_send(void* ctx, hyperion_grpc_client_stream_t* stream);
  static void stream_cancel(void* ctx, hyperion_grpc_client_stream_t* stream);
  static void stream_release(void* ctx, hyperion_grpc_client_stream_t* stream);

  // Checks and copies a call; on failure returns the status with `error` set.
  hyperion_status_t make_spec(const hyperion_grpc_client_call_t* call, CallSpec& spec, std::string& error) const;
  // Ends a call at once with a cached answer: metrics, span, then `done`.
  void answer_from_cache(const CallSpec& spec, const std::string& response, hyperion_grpc_client_done_fn done,
                         void* user);
  hyperion_status_t start_unary(const hyperion_grpc_client_call_t* call, hyperion_bytes_t request,
                                hyperion_grpc_client_done_fn done, void* user, uint64_t* out_id, std::string& error);
  // New targets for `settings`, reusing those of `current` whose settings are unchanged.
  std::shared_ptr<TargetTable> build_table(std::shared_ptr<const Settings> settings, const TargetTable* current);
  // Starts the discovery watches of `table`'s new discovery targets.
  void watch_targets(TargetTable& table, const TargetTable* current);
  void unwatch(const std::map<std::string, uint64_t>& watches, const TargetTable* keep);

  hyperion::Context& ctx_;
  std::atomic<std::shared_ptr<const TargetTable>> table_;
  std::shared_ptr<TargetTable> prepared_;
  std::optional<hyperion::discovery::Client> discovery_;
  // Set in start (the optional "trace" requirement): client spans when it runs.
  hyperion::trace::Tracer tracer_;

  std::atomic<uint64_t> next_id_{1};
  RetryTimer retry_timer_;
  std::mutex calls_mu_;
  std::condition_variable calls_cv_;
  bool stopping_ = false;
  std::map<uint64_t, std::weak_ptr<UnaryCall>> unary_calls_;
  std::map<uint64_t, ClientStream*> streams_;
};

}  // namespace hyperion::plugins::grpc_client
