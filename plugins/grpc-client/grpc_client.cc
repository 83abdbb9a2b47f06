#include "grpc_client.h"

#include <sstream>

#include "client_stream.h"
#include "keep_loaded.h"
#include "traceparent.h"
#include "unary_call.h"

namespace hyperion::plugins::grpc_client {
namespace {

std::string text(hyperion_str_t s) { return s.size == 0 ? std::string() : std::string(s.data, s.size); }

bool valid_method(std::string_view m) {
  // "/pkg.Service/Method": a leading slash, one more slash, nothing empty.
  if (m.size() < 4 || m.front() != '/') return false;
  size_t slash = m.find('/', 1);
  return slash != std::string_view::npos && slash > 1 && slash + 1 < m.size() &&
         m.find('/', slash + 1) == std::string_view::npos;
}

// gRPC's rules for keys: lower-case letters, digits, '-', '_', '.'; "grpc-" is
// reserved. Values of non "-bin" keys are printable ASCII.
bool valid_metadata(std::string_view key, std::string_view value, std::string& error) {
  if (key.empty() || key.starts_with("grpc-")) {
    error = "metadata key \"" + std::string(key) + "\" is empty or reserved (grpc-)";
    return false;
  }
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
      error = "metadata key \"" + std::string(key) + "\": only lower-case letters, digits, '-', '_' and '.'";
      return false;
    }
  }
  if (key.ends_with("-bin")) return true;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) {
      error = "metadata \"" + std::string(key) + "\": a value that is not printable ASCII needs a key ending in -bin";
      return false;
    }
  }
  return true;
}

hyperion_status_t fail(hyperion_error_t* err, hyperion_status_t status, const std::string& message) {
  if (err != nullptr) hyperion_error_set(err, status, message.c_str());
  return status;
}

std::string join_address(const hyperion::discovery::Instance& i) {
  const bool v6 = i.address.find(':') != std::string::npos;
  return (v6 ? "[" + i.address + "]" : i.address) + ":" + std::to_string(i.port);
}

}  // namespace

const hyperion_grpc_client_v1_t GrpcClientPlugin::kService = {
    sizeof(hyperion_grpc_client_v1_t),    &GrpcClientPlugin::unary,
    &GrpcClientPlugin::unary_async,       &GrpcClientPlugin::cancel,
    &GrpcClientPlugin::open_stream,       &GrpcClientPlugin::stream_write,
    &GrpcClientPlugin::stream_close_send, &GrpcClientPlugin::stream_cancel,
    &GrpcClientPlugin::stream_release};

GrpcClientPlugin::GrpcClientPlugin(hyperion::Context& ctx, const boost::json::object& config) : ctx_(ctx) {
  // gRPC's threads finish code of this library after a call's last callback
  // (docs/grpc-client.md, "Unloading"): it must never be unmapped.
  keep_library_loaded();
  table_.store(build_table(parse_settings(config), nullptr));
}

GrpcClientPlugin::~GrpcClientPlugin() = default;

std::shared_ptr<TargetTable> GrpcClientPlugin::build_table(std::shared_ptr<const Settings> settings,
                                                           const TargetTable* current) {
  auto table = std::make_shared<TargetTable>();
  for (const auto& [name, target_settings] : settings->targets) {
    std::shared_ptr<Target> kept;
    if (current != nullptr) {
      auto it = current->targets.find(name);
      if (it != current->targets.end() && it->second->settings() == *target_settings) kept = it->second;
    }
    table->targets[name] = kept ? kept : std::make_shared<Target>(target_settings);
  }
  table->settings = std::move(settings);
  return table;
}

void GrpcClientPlugin::watch_targets(TargetTable& table, const TargetTable* current) {
  for (const auto& [name, target] : table.targets) {
    const std::string& service = target->settings().discovery_service;
    if (service.empty()) continue;
    if (current != nullptr) {
      auto it = current->targets.find(name);
      if (it != current->targets.end() && it->second == target) {
        table.watches[name] = current->watches.at(name);  // unchanged: its watch goes on
        continue;
      }
    }
    if (!discovery_) {
      throw Error(HYPERION_ERR_FAILED_PRECONDITION,
                  "targets." + name + ".address: discovery:///" + service +
                      " needs the discovery service; add the discovery plugin to the manifest");
    }
    std::weak_ptr<Target> weak = target;
    table.watches[name] = discovery_->watch({service, {}, {}}, [weak](const auto& instances) {
      auto t = weak.lock();
      if (!t) return;
      std::vector<std::string> addresses;
      addresses.reserve(instances.size());
      for (const auto& i : instances) addresses.push_back(join_address(i));
      t->set_instances(addresses);
    });
  }
}

void GrpcClientPlugin::unwatch(const std::map<std::string, uint64_t>& watches, const TargetTable* keep) {
  if (!discovery_) return;
  for (const auto& [name, id] : watches) {
    if (keep != nullptr) {
      auto it = keep->watches.find(name);
      if (it != keep->watches.end() && it->second == id) continue;
    }
    discovery_->unwatch(id);
  }
}

void GrpcClientPlugin::start(hyperion::Deadline) {
  ctx_.describe_metric("grpc_client_handled_total",
                       "gRPC calls completed by the client, by target, method and status code.");
  ctx_.describe_metric("grpc_client_handling_seconds",
                       "Time from the call's start to its status, retries included, in seconds, by target and method.");
  ctx_.describe_metric("grpc_client_retries_total", "gRPC call attempts retried, by target and method.");
  ctx_.describe_metric(
      "grpc_client_cache_hits_total",
      "gRPC calls answered from the method cache (cache_ttl_ms) without an RPC, by target and method.");
  ctx_.describe_metric("grpc_client_breaker_state", "Circuit breaker state per target: 0 closed, 1 half-open, 2 open.");
  tracer_ = hyperion::trace::Tracer::optional(ctx_);
  try {
    discovery_.emplace(ctx_.acquire(HYPERION_DISCOVERY_API, HYPERION_DISCOVERY_MAJOR));
  } catch (const hyperion::Error& e) {
    if (e.code() != HYPERION_ERR_NOT_FOUND) throw;  // none in the manifest: discovery targets are refused below
  }
  auto table = std::make_shared<TargetTable>(*table_.load());
  table->watches.clear();
  watch_targets(*table, nullptr);
  table_.store(std::move(table));
  {
    std::lock_guard lock(calls_mu_);
    stopping_ = false;
  }
}

void GrpcClientPlugin::stop(hyperion::Deadline deadline) {
  // New calls are refused; calls in flight are cancelled and end CANCELLED
  // through their callbacks, which must all have run before this returns.
  std::vector<std::shared_ptr<UnaryCall>> calls;
  {
    std::lock_guard lock(calls_mu_);
    stopping_ = true;
    for (auto& [id, weak] : unary_calls_) {
      if (auto c = weak.lock()) calls.push_back(std::move(c));
    }
    for (auto& [id, stream] : streams_) stream->abort();
  }
  for (auto& c : calls) c->cancel();
  calls.clear();
  {
    std::unique_lock lock(calls_mu_);
    if (!calls_cv_.wait_until(lock, deadline.time_point(), [&] { return unary_calls_.empty() && streams_.empty(); })) {
      ctx_.warn(std::to_string(unary_calls_.size() + streams_.size()) +
                " gRPC calls had not ended by the stop deadline");
    }
  }
  auto table = table_.load();
  unwatch(table->watches, nullptr);
  auto bare = std::make_shared<TargetTable>(*table);
  bare->watches.clear();
  table_.store(std::move(bare));
  discovery_.reset();
}

hyperion::HealthReport GrpcClientPlugin::health() {
  hyperion::HealthReport r;
  auto table = table_.load();
  boost::json::object targets;
  std::vector<std::string> problems;
  for (const auto& [name, target] : table->targets) {
    TargetStatus st = target->status();
    boost::json::object t;
    t["connectivity"] = st.connectivity;
    t["instances"] = st.instances;
    t["ready"] = st.ready;
    t["breaker"] = state_name(st.breaker);
    t["policy"] = policy_name(target->settings().policy);
    t["cached_answers"] = target->cache().size();
    boost::json::array endpoints;
    for (const auto& e : st.endpoints) {
      endpoints.push_back({{"address", e.address}, {"state", e.state}, {"in_flight", e.in_flight}});
    }
    t["endpoints"] = std::move(endpoints);
    targets[name] = std::move(t);
    if (!target->settings().required) continue;
    if (st.instances == 0)
      problems.push_back("target " + name + " has no instance");
    else if (st.breaker == CircuitBreaker::State::kOpen)
      problems.push_back("circuit breaker open for target " + name);
  }
  r.details["targets"] = std::move(targets);
  if (!problems.empty()) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message =
        problems.front() + (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "");
  }
  return r;
}

void GrpcClientPlugin::reload_prepare(const boost::json::object& config, const boost::json::array&) {
  auto current = table_.load();
  auto next = build_table(parse_settings(config), current.get());
  // New discovery targets start following their service now, so they have
  // instances by the time the reload commits.
  if (discovery_) watch_targets(*next, current.get());
  prepared_ = std::move(next);
}

void GrpcClientPlugin::reload_commit() {
  if (!prepared_) return;
  auto old = table_.exchange(std::exchange(prepared_, nullptr));
  unwatch(old->watches, table_.load().get());
}

void GrpcClientPlugin::reload_abort() {
  if (!prepared_) return;
  unwatch(prepared_->watches, table_.load().get());
  prepared_.reset();
}

hyperion::ServiceRef GrpcClientPlugin::get_service(std::string_view api, uint32_t api_major) {
  if (api != HYPERION_GRPC_CLIENT_API || api_major != HYPERION_GRPC_CLIENT_MAJOR) return {};
  return {&kService, this, 0};
}

hyperion_status_t GrpcClientPlugin::make_spec(const hyperion_grpc_client_call_t* call, CallSpec& spec,
                                              std::string& error) const {
  if (call == nullptr || call->struct_size < sizeof(hyperion_grpc_client_call_t)) {
    error = "call: NULL or struct_size too small";
    return HYPERION_ERR_INVALID_ARGUMENT;
  }
  if (call->metadata == nullptr && call->metadata_count != 0) {
    error = "call: NULL metadata with a non-zero count";
    return HYPERION_ERR_INVALID_ARGUMENT;
  }
  auto table = table_.load();
  const std::string target = text(call->target);
  auto it = table->targets.find(target);
  if (it == table->targets.end()) {
    std::string known;
    for (const auto& [name, t] : table->targets) known += (known.empty() ? "" : ", ") + name;
    error =
        "no target \"" + target + "\" in the grpc-client config (targets: " + (known.empty() ? "none" : known) + ")";
    return HYPERION_ERR_NOT_FOUND;
  }
  spec.target = it->second;
  spec.method = text(call->method);
  if (!valid_method(spec.method)) {
    error = "method \"" + spec.method + "\" is not a full method name like /pkg.Service/Method";
    return HYPERION_ERR_INVALID_ARGUMENT;
  }
  bool has_traceparent = false;
  for (size_t i = 0; i < call->metadata_count; ++i) {
    std::string key = text(call->metadata[i].key);
    std::string value(reinterpret_cast<const char*>(call->metadata[i].value.data), call->metadata[i].value.size);
    if (!valid_metadata(key, value, error)) return HYPERION_ERR_INVALID_ARGUMENT;
    has_traceparent = has_traceparent || key == "traceparent";
    spec.metadata.emplace_back(std::move(key), std::move(value));
  }
  // The call's client span: a child of the caller's trace, or a new trace.
  if (!has_traceparent) {
    if (tracer_.active()) {
      spec.span = std::make_shared<hyperion::trace::Span>(
          tracer_.start(spec.method, HYPERION_SPAN_CLIENT, to_view(call->traceparent)));
      spec.metadata.emplace_back("traceparent", spec.span->traceparent());
    } else {
      spec.metadata.emplace_back("traceparent", continue_or_start(to_view(call->traceparent)).header());
    }
  }
  const TargetSettings& s = spec.target->settings();
  const MethodSettings* m = nullptr;
  if (auto mit = s.methods.find(spec.method); mit != s.methods.end()) m = &mit->second;
  Millis timeout = call->timeout_ms > 0                  ? Millis(call->timeout_ms)
                   : m != nullptr && m->deadline.count() ? m->deadline
                                                         : s.deadline;
  if (timeout.count() > 0) spec.deadline = Clock::now() + timeout;
  spec.may_retry = call->idempotent == 1 || (call->idempotent < 0 && m != nullptr && m->idempotent);
  if (m != nullptr) spec.cache_ttl = m->cache_ttl;
  return HYPERION_OK;
}

hyperion_status_t GrpcClientPlugin::start_unary(const hyperion_grpc_client_call_t* call, hyperion_bytes_t request,
                                                hyperion_grpc_client_done_fn done, void* user, uint64_t* out_id,
                                                std::string& error) {
  if (done == nullptr || (request.data == nullptr && request.size != 0)) {
    error = "unary: NULL done, or NULL request bytes with a non-zero size";
    return HYPERION_ERR_INVALID_ARGUMENT;
  }
  CallSpec spec;
  if (hyperion_status_t s = make_spec(call, spec, error); s != HYPERION_OK) return s;
  const uint64_t id = next_id_.fetch_add(1);
  if (spec.cache_ttl.count() > 0) {
    spec.cache_key = ResponseCache::key(spec.method, spec.metadata,
                                        std::string_view(reinterpret_cast<const char*>(request.data), request.size));
    if (auto hit = spec.target->cache().get(spec.cache_key, Clock::now())) {
      if (out_id != nullptr) *out_id = id;  // cancelling it is a no-op: it is over
      answer_from_cache(spec, *hit, done, user);
      return HYPERION_OK;
    }
  }
  auto unary = std::make_shared<UnaryCall>(id, std::move(spec), request, done, user, *this, retry_timer_);
  {
    std::lock_guard lock(calls_mu_);
    if (stopping_) {
      error = "the grpc client is stopping";
      return HYPERION_ERR_ABORTED;
    }
    unary_calls_[id] = unary;
  }
  if (out_id != nullptr) *out_id = id;
  unary->start();
  return HYPERION_OK;
}

void GrpcClientPlugin::answer_from_cache(const CallSpec& spec, const std::string& response,
                                         hyperion_grpc_client_done_fn done, void* user) {
  cache_hit(spec);
  call_done(spec, HYPERION_GRPC_OK, 0.0, 0, "");
  end_client_span(spec, HYPERION_GRPC_OK, "", 0, "");
  grpc::Slice slice(response.data(), response.size());
  grpc::ByteBuffer buffer(&slice, 1);
  deliver_result(done, user, HYPERION_GRPC_OK, "", nullptr, &buffer, 0, "");
}

hyperion_status_t GrpcClientPlugin::unary(void* ctx, const hyperion_grpc_client_call_t* call, hyperion_bytes_t request,
                                          hyperion_grpc_client_done_fn done, void* user, hyperion_error_t* err) {
  auto* self = static_cast<GrpcClientPlugin*>(ctx);
  // The call completes on a gRPC thread; this thread waits for it, so `done`
  // has run when unary returns.
  struct Waiter {
    hyperion_grpc_client_done_fn done;
    void* user;
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
  } waiter{done, user, {}, {}, false};
  auto relay = [](void* w, const hyperion_grpc_client_result_t* r) {
    auto* waiter = static_cast<Waiter*>(w);
    waiter->done(waiter->user, r);
    std::lock_guard lock(waiter->mu);
    waiter->finished = true;
    waiter->cv.notify_all();
  };
  std::string error;
  hyperion_status_t s = self->start_unary(call, request, done != nullptr ? +relay : nullptr, &waiter, nullptr, error);
  if (s != HYPERION_OK) return fail(err, s, error);
  std::unique_lock lock(waiter.mu);
  waiter.cv.wait(lock, [&] { return waiter.finished; });
  return HYPERION_OK;
}

hyperion_status_t GrpcClientPlugin::unary_async(void* ctx, const hyperion_grpc_client_call_t* call,
                                                hyperion_bytes_t request, hyperion_grpc_client_done_fn done, void* user,
                                                uint64_t* out_id, hyperion_error_t* err) {
  std::string error;
  hyperion_status_t s = static_cast<GrpcClientPlugin*>(ctx)->start_unary(call, request, done, user, out_id, error);
  return s == HYPERION_OK ? s : fail(err, s, error);
}

void GrpcClientPlugin::cancel(void* ctx, uint64_t id) {
  auto* self = static_cast<GrpcClientPlugin*>(ctx);
  std::shared_ptr<UnaryCall> call;
  {
    std::lock_guard lock(self->calls_mu_);
    auto it = self->unary_calls_.find(id);
    if (it != self->unary_calls_.end()) call = it->second.lock();
  }
  if (call) call->cancel();
}

hyperion_status_t GrpcClientPlugin::open_stream(void* ctx, const hyperion_grpc_client_call_t* call,
                                                const hyperion_grpc_client_stream_handler_t* handler,
                                                hyperion_grpc_client_stream_t** out_stream, hyperion_error_t* err) {
  auto* self = static_cast<GrpcClientPlugin*>(ctx);
  if (handler == nullptr || handler->struct_size < sizeof(hyperion_grpc_client_stream_handler_t) ||
      handler->on_message == nullptr || handler->on_done == nullptr || out_stream == nullptr) {
    return fail(err, HYPERION_ERR_INVALID_ARGUMENT,
                "open_stream: a handler with on_message and on_done, and out_stream");
  }
  CallSpec spec;
  std::string error;
  if (hyperion_status_t s = self->make_spec(call, spec, error); s != HYPERION_OK) return fail(err, s, error);
  // A stream goes to one instance for its whole life; the breaker and the
  // lack of an instance end it at once, through on_done like any outcome.
  Target& target = *spec.target;
  std::shared_ptr<Endpoint> endpoint = target.pick(nullptr);
  std::string refused;
  if (!endpoint)
    refused = "no instance of target " + target.settings().name;
  else if (!target.breaker().allow(target.settings().breaker, CircuitBreaker::Clock::now()))
    refused = "circuit breaker open for target " + target.settings().name;
  if (!refused.empty()) {
    return fail(err, HYPERION_ERR_UNAVAILABLE, refused);
  }
  const uint64_t id = self->next_id_.fetch_add(1);
  auto* stream = new ClientStream(id, std::move(spec), std::move(endpoint), *handler, *self);
  {
    std::lock_guard lock(self->calls_mu_);
    if (self->stopping_) {
      delete stream;
      record_outcome(target, HYPERION_GRPC_OK, *self);  // close the breaker trial it may have taken
      return fail(err, HYPERION_ERR_ABORTED, "the grpc client is stopping");
    }
    self->streams_[id] = stream;
  }
  *out_stream = reinterpret_cast<hyperion_grpc_client_stream_t*>(stream);
  stream->start();
  return HYPERION_OK;
}

hyperion_status_t GrpcClientPlugin::stream_write(void*, hyperion_grpc_client_stream_t* stream, hyperion_bytes_t message,
                                                 hyperion_error_t* err) {
  if (stream == nullptr || (message.data == nullptr && message.size != 0)) {
    return fail(err, HYPERION_ERR_INVALID_ARGUMENT, "stream_write: NULL stream or message");
  }
  std::string error;
  hyperion_status_t s = reinterpret_cast<ClientStream*>(stream)->write(message, error);
  return s == HYPERION_OK ? s : fail(err, s, error);
}

void GrpcClientPlugin::stream_close_send(void*, hyperion_grpc_client_stream_t* stream) {
  if (stream != nullptr) reinterpret_cast<ClientStream*>(stream)->close_send();
}

void GrpcClientPlugin::stream_cancel(void*, hyperion_grpc_client_stream_t* stream) {
  if (stream != nullptr) reinterpret_cast<ClientStream*>(stream)->cancel();
}

void GrpcClientPlugin::stream_release(void*, hyperion_grpc_client_stream_t* stream) {
  if (stream != nullptr) reinterpret_cast<ClientStream*>(stream)->release();
}

void GrpcClientPlugin::call_done(const CallSpec& spec, int32_t code, double seconds, uint32_t attempts,
                                 const std::string& peer) {
  const std::string& name = spec.target->settings().name;
  const std::string& method = spec.method;
  ctx_.counter_add("grpc_client_handled_total", 1,
                   hyperion::labels({{"grpc_target", name}, {"grpc_method", method}, {"grpc_code", code_name(code)}}));
  hyperion::trace::observe_histogram(ctx_, "grpc_client_handling_seconds", seconds,
                                     hyperion::labels({{"grpc_target", name}, {"grpc_method", method}}),
                                     spec.span.get());
  auto slow = table_.load()->settings->slow_call;
  if (slow.count() > 0 && seconds * 1000.0 > static_cast<double>(slow.count())) {
    std::ostringstream m;
    m << "slow gRPC call: " << method << " on target " << name << " took " << static_cast<int64_t>(seconds * 1000)
      << " ms (threshold " << slow.count() << " ms), " << code_name(code) << ", " << attempts << " attempt(s)"
      << (peer.empty() ? "" : ", last on " + peer) << ", trace_id=" << spec.trace_id();
    ctx_.warn(m.str());
  } else if (ctx_.logs(HYPERION_LOG_DEBUG)) {
    ctx_.debug("grpc call " + method + " target=" + name + " code=" + code_name(code) +
               " ms=" + std::to_string(static_cast<int64_t>(seconds * 1000)) + " attempts=" + std::to_string(attempts) +
               " peer=" + peer + " trace_id=" + spec.trace_id());
  }
}

void GrpcClientPlugin::call_released(uint64_t id) {
  {
    std::lock_guard lock(calls_mu_);
    unary_calls_.erase(id);
    streams_.erase(id);
    // Notified under the lock: stop() may return and the plugin go as soon as it sees none left.
    calls_cv_.notify_all();
  }
}

void GrpcClientPlugin::retrying(const Target& target, const std::string& method, int32_t code,
                                const std::string& peer) {
  ctx_.counter_add("grpc_client_retries_total", 1,
                   hyperion::labels({{"grpc_target", target.settings().name}, {"grpc_method", method}}));
  if (ctx_.logs(HYPERION_LOG_DEBUG))
    ctx_.debug("retrying " + method + " on target " + target.settings().name + " after " + code_name(code) + " from " +
               peer);
}

void GrpcClientPlugin::cache_hit(const CallSpec& spec) {
  ctx_.counter_add("grpc_client_cache_hits_total", 1,
                   hyperion::labels({{"grpc_target", spec.target->settings().name}, {"grpc_method", spec.method}}));
}

void GrpcClientPlugin::breaker_changed(const Target& target, CircuitBreaker::State state) {
  // 0 closed, 1 half-open, 2 open
  ctx_.gauge_set("grpc_client_breaker_state", static_cast<double>(static_cast<int>(state)),
                 hyperion::labels({{"grpc_target", target.settings().name}}));
  ctx_.warn("circuit breaker " + std::string(state_name(state)) + " for target " + target.settings().name);
}

}  // namespace hyperion::plugins::grpc_client
