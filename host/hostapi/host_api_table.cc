#include "hostapi/host_api_table.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "hostapi/abi_status.h"
#include "hostapi/abi_guard.h"
#include "hostapi/host_context.h"
#include "os/monotonic_clock.h"

namespace hyperion::hostapi {
namespace {

std::string str(hyperion_str_t s) { return s.size == 0 ? std::string() : std::string(s.data, s.size); }
std::string_view view(hyperion_str_t s) { return s.size == 0 ? std::string_view() : std::string_view(s.data, s.size); }

hyperion_status_t fail(hyperion_error_t* err, const Status& s) {
  return hyperion_error_set(err, to_abi(s.code()), s.message().c_str());
}


// `text` without the secrets the host gave plugins; a copy only when there are any.
std::string_view scrubbed(hyperion_host_ctx_t* ctx, std::string_view text, std::string& storage) {
  if (ctx->facilities == nullptr || !ctx->facilities->secrets->active()) return text;
  storage.assign(text);
  return ctx->facilities->secrets->scrub_in_place(storage) ? std::string_view(storage) : text;
}

void log(hyperion_host_ctx_t* ctx, hyperion_log_level_t level, hyperion_str_t message) {
  try {
    auto lvl = static_cast<spdlog::level::level_enum>(std::clamp<int>(level, HYPERION_LOG_TRACE, HYPERION_LOG_ERROR));
    if (!ctx->logger->should_log(lvl)) return;
    std::string storage;
    ctx->logger->log(lvl, "{}", scrubbed(ctx, view(message), storage));
  } catch (...) {
    // Logging never fails from the plugin's point of view.
  }
}

hyperion_log_level_t log_level(hyperion_host_ctx_t* ctx) {
  return std::clamp<int>(static_cast<int>(ctx->logger->level()), HYPERION_LOG_TRACE, HYPERION_LOG_ERROR + 1);
}

void report_metric_error(hyperion_host_ctx_t* ctx, const std::string& name, const Status& s) {
  std::lock_guard lock(ctx->mu);
  if (ctx->reported_metric_errors.insert(name).second) {
    ctx->logger->warn("metric {} dropped: {}", name, s.message());
  }
}

template <typename Record>
void record_metric(hyperion_host_ctx_t* ctx, hyperion_str_t name, Record&& record) noexcept {
  try {
    Status s = record();
    if (!s.ok()) report_metric_error(ctx, str(name), s);
  } catch (...) {
  }
}

void counter_add(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t labels, double delta) {
  std::string storage;
  record_metric(ctx, name, [&] {
    return ctx->facilities->metrics.counter_add(ctx->instance, view(name), scrubbed(ctx, view(labels), storage), delta);
  });
}
void gauge_set(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t labels, double value) {
  std::string storage;
  record_metric(ctx, name, [&] {
    return ctx->facilities->metrics.gauge_set(ctx->instance, view(name), scrubbed(ctx, view(labels), storage), value);
  });
}
void histogram_observe(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t labels, double value) {
  std::string storage;
  record_metric(ctx, name, [&] {
    return ctx->facilities->metrics.histogram_observe(ctx->instance, view(name), scrubbed(ctx, view(labels), storage),
                                                      value);
  });
}

void metric_describe(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t help) {
  record_metric(ctx, name, [&] { return ctx->facilities->metrics.describe(view(name), view(help)); });
}
void histogram_observe_traced(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t labels, double value,
                              hyperion_str_t trace_id, hyperion_str_t span_id) {
  std::string storage;
  const metrics::TraceExemplar exemplar{view(trace_id), view(span_id)};
  record_metric(ctx, name, [&] {
    return ctx->facilities->metrics.histogram_observe(ctx->instance, view(name), scrubbed(ctx, view(labels), storage),
                                                      value, trace_id.size == 0 ? nullptr : &exemplar);
  });
}

hyperion_status_t event_emit(hyperion_host_ctx_t* ctx, hyperion_str_t type, hyperion_str_t data,
                             hyperion_error_t* err) {
  return guarded(err, [&] {
    std::string storage;
    auto r = ctx->facilities->events.emit(ctx->instance, str(type), std::string(scrubbed(ctx, view(data), storage)));
    return r.ok() ? HYPERION_OK : fail(err, r.status());
  });
}

hyperion_status_t event_subscribe(hyperion_host_ctx_t* ctx, hyperion_str_t prefix, hyperion_event_fn fn, void* user,
                                  uint64_t* out_id, hyperion_error_t* err) {
  return guarded(err, [&] {
    if (fn == nullptr) return hyperion_error_set(err, HYPERION_ERR_INVALID_ARGUMENT, "event_subscribe: fn is NULL");
    uint64_t id = ctx->facilities->events.subscribe(ctx->instance, str(prefix), [fn, user](const std::string& json) {
      fn(user, hyperion_str_t{json.data(), json.size()});
    });
    std::lock_guard lock(ctx->mu);
    ctx->subscriptions.insert(id);
    *out_id = id;
    return HYPERION_OK;
  });
}

void event_unsubscribe(hyperion_host_ctx_t* ctx, uint64_t id) {
  {
    std::lock_guard lock(ctx->mu);
    if (ctx->subscriptions.erase(id) == 0) return;  // not this instance's
  }
  ctx->facilities->events.unsubscribe(id);
}

hyperion_status_t service_acquire(hyperion_host_ctx_t* ctx, hyperion_str_t api, uint32_t major,
                                  hyperion_service_t** out, hyperion_error_t* err) {
  return guarded(err, [&] {
    std::string name = str(api);
    const loader::Requirement* declared = nullptr;
    for (const auto& r : ctx->declared_requirements) {
      if (r.api.api == name && r.api.major == major) declared = &r;
    }
    if (declared == nullptr) {
      return hyperion_error_set(err, HYPERION_ERR_FAILED_PRECONDITION,
                                ("service_acquire: \"" + ctx->instance + "\" did not declare " + name + " " +
                                 std::to_string(major) + ".x in its metadata \"requires\"").c_str());
    }
    auto it = ctx->providers.find(name);
    if (it == ctx->providers.end()) {
      return hyperion_error_set(err, HYPERION_ERR_NOT_FOUND,
                                ("service_acquire: no instance provides " + name + " (optional requirement)").c_str());
    }
    hyperion_service* handle = ctx->facilities->services.acquire(ctx, it->second, name, major);
    std::lock_guard lock(ctx->mu);
    ctx->handles.insert(handle);
    *out = handle;
    return HYPERION_OK;
  });
}

hyperion_status_t service_enter(hyperion_service_t* handle, hyperion_service_ref_t* out, hyperion_error_t* err) {
  return guarded(err, [&] {
    Status s = handle->registry->enter(handle, out);
    return s.ok() ? HYPERION_OK : fail(err, s);
  });
}

void service_leave(hyperion_service_t* handle) {
  try {
    handle->registry->leave(handle);
  } catch (...) {
  }
}

void service_release(hyperion_service_t* handle) {
  if (handle == nullptr) return;
  {
    std::lock_guard lock(handle->owner->mu);
    if (handle->owner->handles.erase(handle) == 0) return;  // not a live handle
  }
  handle->registry->release(handle);
}

hyperion_status_t timer_start(hyperion_host_ctx_t* ctx, uint64_t delay_ms, uint64_t period_ms, hyperion_task_fn fn,
                              void* user, uint64_t* out_id, hyperion_error_t* err) {
  return guarded(err, [&] {
    if (fn == nullptr) return hyperion_error_set(err, HYPERION_ERR_INVALID_ARGUMENT, "timer_start: fn is NULL");
    uint64_t id = ctx->facilities->timers.start(ctx->instance, std::chrono::milliseconds(delay_ms),
                                                std::chrono::milliseconds(period_ms), [fn, user] { fn(user); });
    std::lock_guard lock(ctx->mu);
    ctx->timers.insert(id);
    *out_id = id;
    return HYPERION_OK;
  });
}

void timer_cancel(hyperion_host_ctx_t* ctx, uint64_t id) {
  {
    std::lock_guard lock(ctx->mu);
    if (ctx->timers.erase(id) == 0) return;
  }
  ctx->facilities->timers.cancel(id);
}

// config_propose and config_propose_layer: the same contract, another proposer.
hyperion_status_t propose(const char* what, const ConfigProposer& proposer, hyperion_host_ctx_t* ctx,
                          hyperion_str_t source, hyperion_str_t json, uint64_t* out_revision, hyperion_error_t* err) {
  return guarded(err, [&] {
    if (!proposer) {
      return hyperion_error_set(err, HYPERION_ERR_UNAVAILABLE,
                                (std::string(what) + ": this host is not accepting configuration proposals").c_str());
    }
    auto r = proposer(ctx->instance, str(source), str(json), ctx->stopping);
    if (!r.ok()) return fail(err, r.status());
    *out_revision = *r;
    return HYPERION_OK;
  });
}

hyperion_status_t config_propose(hyperion_host_ctx_t* ctx, hyperion_str_t source, hyperion_str_t desired,
                                 uint64_t* out_revision, hyperion_error_t* err) {
  return propose("config_propose", ctx->facilities->propose_config, ctx, source, desired, out_revision, err);
}

hyperion_status_t config_propose_layer(hyperion_host_ctx_t* ctx, hyperion_str_t source, hyperion_str_t layer,
                                       uint64_t* out_revision, hyperion_error_t* err) {
  return propose("config_propose_layer", ctx->facilities->propose_layer, ctx, source, layer, out_revision, err);
}

hyperion_status_t instance_state_dir(hyperion_host_ctx_t* ctx, const hyperion_sink_t* out, hyperion_error_t* err) {
  return guarded(err, [&] {
    if (ctx->facilities->state_dir.empty()) {
      return hyperion_error_set(err, HYPERION_ERR_UNAVAILABLE, "instance_state_dir: this host keeps no state");
    }
    const std::filesystem::path dir = std::filesystem::path(ctx->facilities->state_dir) / "instances" / ctx->instance;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (!ec) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
    }
    if (ec) {
      return hyperion_error_set(err, HYPERION_ERR_UNAVAILABLE,
                                ("instance_state_dir: cannot create " + dir.string() + ": " + ec.message()).c_str());
    }
    const std::string path = dir.string();
    if (out->write(out->ctx, path.data(), path.size()) != HYPERION_OK) {
      return hyperion_error_set(err, HYPERION_ERR_INVALID_ARGUMENT, "instance_state_dir: the sink refused the path");
    }
    return HYPERION_OK;
  });
}

uint64_t now_ns(hyperion_host_ctx_t*) { return os::monotonic_now_ns(); }

const hyperion_host_api_t kTable = {
    sizeof(hyperion_host_api_t),
    &log,
    &log_level,
    &counter_add,
    &gauge_set,
    &histogram_observe,
    &event_emit,
    &event_subscribe,
    &event_unsubscribe,
    &service_acquire,
    &service_enter,
    &service_leave,
    &service_release,
    &timer_start,
    &timer_cancel,
    &config_propose,
    &now_ns,
    &config_propose_layer,
    &instance_state_dir,
    &metric_describe,
    &histogram_observe_traced,
};

}  // namespace

const hyperion_host_api_t* host_api_table() { return &kTable; }

}  // namespace hyperion::hostapi

namespace hyperion::hostapi {

void cancel_timers(hyperion_host_ctx& ctx) {
  std::set<uint64_t> timers;
  {
    std::lock_guard lock(ctx.mu);
    timers.swap(ctx.timers);
  }
  for (uint64_t id : timers) ctx.facilities->timers.cancel(id);
}

void cancel_callbacks(hyperion_host_ctx& ctx) {
  cancel_timers(ctx);
  std::set<uint64_t> subscriptions;
  {
    std::lock_guard lock(ctx.mu);
    subscriptions.swap(ctx.subscriptions);
  }
  for (uint64_t id : subscriptions) ctx.facilities->events.unsubscribe(id);
}

void release_handles(hyperion_host_ctx& ctx) {
  std::set<hyperion_service*> handles;
  {
    std::lock_guard lock(ctx.mu);
    handles.swap(ctx.handles);
  }
  for (hyperion_service* h : handles) ctx.facilities->services.release(h);
}

}  // namespace hyperion::hostapi
