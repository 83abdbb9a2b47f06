#include "grpc_server.h"

#include <hyperion/services/health.h>

#include <array>
#include <sstream>

#include "grpc_server_builtin_descriptors.h"

namespace hyperion::plugins::grpc_server {
namespace {

constexpr std::array<const char*, 17> kCodeNames = {
    "OK",        "CANCELLED",         "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

const char* code_name(::grpc::StatusCode code) {
  auto i = static_cast<size_t>(code);
  return i < kCodeNames.size() ? kCodeNames[i] : "UNKNOWN";
}

std::chrono::system_clock::time_point to_system(std::chrono::steady_clock::time_point t) {
  auto remaining = t - std::chrono::steady_clock::now();
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(remaining);
}

std::string escape_label(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  return out;
}

}  // namespace

const hyperion_grpc_server_v1_t GrpcServerPlugin::kService = {
    sizeof(hyperion_grpc_server_v1_t),
    /*register_handler=*/
    [](void* ctx, hyperion_str_t method, const hyperion_grpc_handler_t* handler, uint64_t* out_id,
       hyperion_error_t* err) {
      return hyperion::sdk::guarded(err, [&] { static_cast<GrpcServerPlugin*>(ctx)->register_handler(method, handler, out_id); });
    },
    /*unregister_handler=*/
    [](void* ctx, uint64_t id, uint64_t deadline_ns, hyperion_error_t* err) {
      return hyperion::sdk::guarded(err, [&] { static_cast<GrpcServerPlugin*>(ctx)->unregister_handler(id, deadline_ns); });
    },
    /*register_descriptors=*/
    [](void* ctx, hyperion_bytes_t set, uint64_t* out_id, hyperion_error_t* err) {
      return hyperion::sdk::guarded(err, [&] { static_cast<GrpcServerPlugin*>(ctx)->register_descriptors(set, out_id); });
    },
    /*unregister_descriptors=*/
    [](void* ctx, uint64_t id) {
      try {
        static_cast<GrpcServerPlugin*>(ctx)->index_.remove(id);
      } catch (...) {
        // Nothing to report to: the caller is going away.
      }
    },
};

GrpcServerPlugin::GrpcServerPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      static_(static_config(config)),
      health_(table_, [this] { return read_host_health(); }),
      reflection_(table_, index_, [this](const std::string& service) {
        if (service == "grpc.health.v1.Health") return health_.enabled();
        if (service == "grpc.reflection.v1.ServerReflection" || service == "grpc.reflection.v1alpha.ServerReflection") {
          return reflection_.enabled();
        }
        return true;
      }) {
  DynamicConfig dynamic = dynamic_config(config);
  access_log_ = dynamic.access_log;
  drain_timeout_ms_ = dynamic.drain_timeout_ms;
  health_.set_enabled(dynamic.health);
  reflection_.set_enabled(dynamic.reflection);
  watch_interval_ms_ = dynamic.health_watch_interval_ms;
  health_.register_into(table_);
  reflection_.register_into(table_);
  std::string error;
  std::string_view builtin(reinterpret_cast<const char*>(grpc_server_builtin_descriptors),
                           grpc_server_builtin_descriptors_size);
  if (index_.add(builtin, error) == 0) throw hyperion::Error(HYPERION_ERR_INTERNAL, "built-in descriptors: " + error);
}

GrpcServerPlugin::~GrpcServerPlugin() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now());
}

std::shared_ptr<::grpc::ServerCredentials> GrpcServerPlugin::credentials() const {
  if (!static_.tls) return ::grpc::InsecureServerCredentials();
  ::grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back(
      {read_pem("tls.key_file", static_.tls->key_file), read_pem("tls.cert_file", static_.tls->cert_file)});
  if (!static_.tls->client_ca_file.empty()) {
    options.pem_root_certs = read_pem("tls.client_ca_file", static_.tls->client_ca_file);
    options.client_certificate_request = static_.tls->require_client_cert
                                             ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                             : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return ::grpc::SslServerCredentials(options);
}

void GrpcServerPlugin::start(hyperion::Deadline) {
  ctx_.describe_metric("grpc_server_handled_total",
                       "RPCs completed on the server, by service, method and status code.");
  ctx_.describe_metric("grpc_server_handling_seconds",
                       "Time from an RPC's arrival to its status, in seconds, by service and method.");
  host_health_.emplace(ctx_.acquire(HYPERION_HEALTH_API, HYPERION_HEALTH_MAJOR));
  tracer_ = hyperion::trace::Tracer::optional(ctx_);
  ::grpc::ServerBuilder builder;
  builder.AddListeningPort(static_.listen, credentials(), &port_);
  builder.RegisterCallbackGenericService(&generic_);
  builder.SetMaxReceiveMessageSize(static_.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(static_.max_send_message_bytes);
  // gRPC enables SO_REUSEPORT by default, which lets a second server bind a
  // port that is in use without an error: refuse that instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, static_.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, static_.keepalive_time_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_.keepalive_timeout_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, static_.keepalive_permit_without_calls ? 1 : 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             static_.keepalive_min_ping_interval_ms);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    server_.reset();
    throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, "listen: cannot serve gRPC on " + static_.listen +
                                                        " (address in use, or not an address of this machine)");
  }
  start_watch_timer(watch_interval_ms_);
  ctx_.info("serving gRPC on " + static_.listen + " (port " + std::to_string(port_) + (static_.tls ? ", TLS" : "") + ")");
}

void GrpcServerPlugin::stop(hyperion::Deadline deadline) {
  if (watch_timer_) ctx_.cancel_timer(*std::exchange(watch_timer_, std::nullopt));
  health_.shutdown();
  if (!server_) return;
  // Stop accepting; calls in flight get drain_timeout_ms (but never past the
  // host's stop deadline), then gRPC cancels the rest.
  auto drain = std::chrono::steady_clock::now() + std::chrono::milliseconds(drain_timeout_ms_.load());
  auto until = std::min(drain, deadline.time_point() - std::chrono::milliseconds(50));
  server_->Shutdown(to_system(until));
  server_->Wait();
  server_.reset();
  host_health_.reset();
}

hyperion::HealthReport GrpcServerPlugin::health() {
  hyperion::HealthReport r;
  if (!server_) {
    r.status = hyperion::HealthStatus::kUnhealthy;
    r.message = "not serving";
    return r;
  }
  r.message = "serving on port " + std::to_string(port_);
  r.details["listen"] = static_.listen;
  r.details["port"] = port_;
  r.details["tls"] = static_.tls.has_value();
  r.details["mtls"] = static_.tls && static_.tls->require_client_cert;
  r.details["methods"] = table_.method_count();
  r.details["health_watchers"] = health_.watchers();
  return r;
}

void GrpcServerPlugin::reload_prepare(const boost::json::object& config, const boost::json::array&) {
  prepared_ = dynamic_config(config);
}

void GrpcServerPlugin::reload_commit() {
  if (prepared_) apply(*std::exchange(prepared_, std::nullopt));
}

void GrpcServerPlugin::reload_abort() { prepared_.reset(); }

void GrpcServerPlugin::apply(const DynamicConfig& config) {
  access_log_ = config.access_log;
  drain_timeout_ms_ = config.drain_timeout_ms;
  health_.set_enabled(config.health);
  reflection_.set_enabled(config.reflection);
  if (config.health_watch_interval_ms != watch_interval_ms_) {
    watch_interval_ms_ = config.health_watch_interval_ms;
    if (watch_timer_) {
      ctx_.cancel_timer(*watch_timer_);
      start_watch_timer(watch_interval_ms_);
    }
  }
}

void GrpcServerPlugin::start_watch_timer(int interval_ms) {
  auto period = std::chrono::milliseconds(interval_ms);
  watch_timer_ = ctx_.start_timer(period, period, [this] { health_.poll(); });
}

hyperion::ServiceRef GrpcServerPlugin::get_service(std::string_view api, uint32_t api_major) {
  if (api != HYPERION_GRPC_SERVER_API || api_major != HYPERION_GRPC_SERVER_MAJOR) return {};
  return {&kService, this, 0};
}

std::string GrpcServerPlugin::read_host_health() const {
  if (!host_health_) throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, "not started");
  std::string out;
  hyperion_sink_t sink = hyperion::sdk::string_sink(out);
  hyperion_error_t err{};
  err.struct_size = sizeof err;
  auto use = host_health_->enter<hyperion_health_v1_t>();
  if (hyperion_status_t s = use.vtable()->snapshot(use.ctx(), &sink, &err); s != HYPERION_OK) {
    throw hyperion::Error(s, err.message);
  }
  return out;
}

::grpc::ServerGenericBidiReactor* GrpcServerPlugin::GenericService::CreateReactor(
    ::grpc::GenericCallbackServerContext* ctx) {
  return new ServerCall(ctx, owner_.table_, owner_);
}

void GrpcServerPlugin::call_finished(const CallRecord& record) {
  std::string service = record.known_method ? service_of(record.method) : "unknown";
  std::string method = record.known_method ? record.method.substr(service.size() + 2) : "unknown";
  const char* code = code_name(record.code);
  double seconds = std::chrono::duration<double>(record.duration).count();
  std::string labels = R"({"grpc_service":")" + escape_label(service) + R"(","grpc_method":")" + escape_label(method) + "\"";
  ctx_.counter_add("grpc_server_handled_total", 1, labels + R"(,"grpc_code":")" + code + "\"}");
  hyperion::trace::observe_histogram(ctx_, "grpc_server_handling_seconds", seconds, labels + "}",
                                     record.details != nullptr ? &record.details->span : nullptr);
  if (!access_log_.load(std::memory_order_relaxed) || record.details == nullptr) return;
  bool server_error = record.code == ::grpc::StatusCode::INTERNAL || record.code == ::grpc::StatusCode::UNKNOWN ||
                      record.code == ::grpc::StatusCode::DATA_LOSS;
  hyperion_log_level_t level = server_error ? HYPERION_LOG_WARN : HYPERION_LOG_INFO;
  if (ctx_.api().log_level(ctx_.host_ctx()) > level) return;
  std::ostringstream line;
  line << "grpc call method=" << record.method << " code=" << code << " duration_ms=" << seconds * 1e3
       << " peer=" << record.details->peer << " trace_id=" << record.details->trace.trace_id
       << " span_id=" << record.details->trace.span_id;
  if (!record.details->trace.parent_span_id.empty()) line << " parent_span_id=" << record.details->trace.parent_span_id;
  line << " messages_in=" << record.messages_in << " messages_out=" << record.messages_out;
  if (!record.message.empty()) line << " message=\"" << escape_label(record.message) << "\"";
  ctx_.log(level, line.str());
}

bool GrpcServerPlugin::wants_details() const {
  return access_log_.load(std::memory_order_relaxed) && ctx_.api().log_level(ctx_.host_ctx()) <= HYPERION_LOG_WARN;
}

void GrpcServerPlugin::handler_failed(const std::string& method, const std::string& what) {
  ctx_.error("handler of " + method + " failed: " + what + " (the call ends with INTERNAL)");
}

void GrpcServerPlugin::register_handler(hyperion_str_t method, const hyperion_grpc_handler_t* handler, uint64_t* out_id) {
  if (handler == nullptr || out_id == nullptr) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "register_handler: NULL handler or out_id");
  }
  std::string name(hyperion::to_view(method));
  bool replaces = table_.find(name).registration != nullptr;
  std::string error;
  uint64_t id = table_.add(name, *handler, error);
  if (id == 0) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, error);
  *out_id = id;
  ctx_.info("handler registered for " + name + (replaces ? " (replaces the previous one for new calls)" : ""));
}

void GrpcServerPlugin::unregister_handler(uint64_t id, uint64_t deadline_ns) {
  std::shared_ptr<Registration> registration = table_.remove(id);
  if (registration == nullptr) throw hyperion::Error(HYPERION_ERR_NOT_FOUND, "no handler registration " + std::to_string(id));
  auto deadline = deadline_ns == UINT64_MAX
                      ? std::chrono::steady_clock::time_point::max()
                      : std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline_ns));
  size_t running = registration->in_flight();
  if (!registration->close_and_drain(deadline)) {
    std::string message = std::to_string(registration->in_flight()) + " call(s) to " + registration->method() +
                          " were still running at the deadline and were cancelled";
    ctx_.warn(message);
    throw hyperion::Error(HYPERION_ERR_DEADLINE_EXCEEDED, message);
  }
  ctx_.info("handler for " + registration->method() + " unregistered" +
            (running > 0 ? " after draining " + std::to_string(running) + " call(s)" : ""));
}

void GrpcServerPlugin::register_descriptors(hyperion_bytes_t set, uint64_t* out_id) {
  if (out_id == nullptr || (set.data == nullptr && set.size != 0)) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "register_descriptors: NULL argument");
  }
  std::string error;
  uint64_t id = index_.add(std::string_view(reinterpret_cast<const char*>(set.data), set.size), error);
  if (id == 0) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "descriptor set: " + error);
  *out_id = id;
}

}  // namespace hyperion::plugins::grpc_server
