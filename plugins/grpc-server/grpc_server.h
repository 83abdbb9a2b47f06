// GrpcServerPlugin: one gRPC server on its own address. Every call goes through
// a generic callback service to the handler a plugin registered for its method
// (handler_table.h), wrapped by the interceptor chain: W3C traceparent, error
// recovery (server_call.cc), access log and per-method metrics (here). Serves
// grpc.health.v1 and server reflection itself. Provides grpc.server 1.0.
// Thread-safety: calls and service functions arrive on any thread; lifecycle
// and reload hooks are serialized by the host.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "descriptor_index.h"
#include "handler_table.h"
#include "health_service.h"
#include "reflection_service.h"
#include "server_call.h"
#include "server_config.h"

namespace hyperion::plugins::grpc_server {

class GrpcServerPlugin final : public CallObserver {
 public:
  GrpcServerPlugin(hyperion::Context& ctx, const boost::json::object& config);
  ~GrpcServerPlugin();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& config, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();
  hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);

  // CallObserver
  void call_finished(const CallRecord& record) override;
  void handler_failed(const std::string& method, const std::string& what) override;
  [[nodiscard]] bool wants_details() const override;
  [[nodiscard]] const hyperion::trace::Tracer* tracer() const override { return tracer_.active() ? &tracer_ : nullptr; }

 private:
  class GenericService final : public ::grpc::CallbackGenericService {
   public:
    explicit GenericService(GrpcServerPlugin& owner) : owner_(owner) {}
    ::grpc::ServerGenericBidiReactor* CreateReactor(::grpc::GenericCallbackServerContext* ctx) override;

   private:
    GrpcServerPlugin& owner_;
  };

  // grpc.server 1.0, with `ctx` = this
  static const hyperion_grpc_server_v1_t kService;
  // Each throws hyperion::Error on failure (the service thunks turn it into a status).
  void register_handler(hyperion_str_t method, const hyperion_grpc_handler_t* handler, uint64_t* out_id);
  void unregister_handler(uint64_t id, uint64_t deadline_ns);
  void register_descriptors(hyperion_bytes_t set, uint64_t* out_id);

  std::shared_ptr<::grpc::ServerCredentials> credentials() const;
  std::string read_host_health() const;
  void apply(const DynamicConfig& config);
  void start_watch_timer(int interval_ms);

  hyperion::Context& ctx_;
  const StaticConfig static_;
  std::atomic<bool> access_log_{true};
  // Set in start (the optional "trace" requirement), before the server serves.
  hyperion::trace::Tracer tracer_;
  std::atomic<int> drain_timeout_ms_{5000};
  int watch_interval_ms_ = 0;
  std::optional<uint64_t> watch_timer_;
  std::optional<DynamicConfig> prepared_;

  HandlerTable table_;
  DescriptorIndex index_;
  HealthService health_;
  ReflectionService reflection_;
  GenericService generic_{*this};
  std::optional<hyperion::ServiceHandle> host_health_;
  std::unique_ptr<::grpc::Server> server_;
  int port_ = 0;
};

}  // namespace hyperion::plugins::grpc_server
