#include "lifecycle/plugin_instance.h"

#include <boost/json.hpp>

#include "hostapi/abi_status.h"
#include "hostapi/host_api_table.h"
#include "logging/log_setup.h"
#include "os/monotonic_clock.h"

namespace hyperion::lifecycle {
namespace {

// Calls into plugin code. A C++ exception must not cross the C ABI, but a
// plugin built without the SDK can let one escape: it becomes an error naming
// what was thrown, instead of ending the host (std::terminate on the worker).
template <typename Fn>
hyperion_status_t call_guarded(Fn&& fn, hyperion_error_t* err) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return hyperion_error_set(err, HYPERION_ERR_INTERNAL,
                              (std::string("let a C++ exception escape through the C ABI: ") + e.what()).c_str());
  } catch (...) {
    return hyperion_error_set(err, HYPERION_ERR_INTERNAL, "let an unknown C++ exception escape through the C ABI");
  }
}

uint64_t to_monotonic_ns(std::chrono::steady_clock::time_point t) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// What a call left behind; shared with the worker so a late return is harmless.
struct CallResult {
  hyperion_status_t status = HYPERION_OK;
  hyperion_error_t error{};
};

}  // namespace

const char* instance_state_name(InstanceState state) {
  switch (state) {
    case InstanceState::kNew: return "new";
    case InstanceState::kCreated: return "created";
    case InstanceState::kRunning: return "running";
    case InstanceState::kStopped: return "stopped";
    case InstanceState::kFailed: return "failed";
    case InstanceState::kHung: return "hung";
    case InstanceState::kDestroyed: return "destroyed";
  }
  return "?";
}

PluginInstance::PluginInstance(std::string name, std::shared_ptr<loader::LoadedPlugin> plugin,
                               hostapi::HostFacilities& facilities, CallRunner& runner,
                               std::map<std::string, std::string> providers)
    : name_(std::move(name)), plugin_(std::move(plugin)), facilities_(facilities), runner_(runner),
      ctx_(std::make_shared<hyperion_host_ctx>()) {
  ctx_->instance = name_;
  ctx_->logger = logging::instance_logger(name_);
  ctx_->facilities = &facilities_;
  ctx_->declared_requirements = plugin_->metadata.requires_;
  ctx_->providers = std::move(providers);
}

PluginInstance::~PluginInstance() {
  if (instance_ != nullptr && state_ != InstanceState::kHung && state_ != InstanceState::kDestroyed) {
    (void)destroy(Clock::now() + std::chrono::seconds(5));
  }
}

std::string PluginInstance::scrub(std::string text) const {
  if (ctx_ != nullptr && ctx_->facilities != nullptr) ctx_->facilities->secrets->scrub_in_place(text);
  return text;
}

Status PluginInstance::call(const char* what, Clock::time_point deadline,
                            std::function<hyperion_status_t(hyperion_error_t*)> fn) {
  auto result = std::make_shared<CallResult>();
  result->error.struct_size = sizeof(hyperion_error_t);
  // The task keeps the host context and the library alive for as long as it runs.
  auto task = [result, fn = std::move(fn), ctx = ctx_, plugin = plugin_] {
    result->status = call_guarded([&] { return fn(&result->error); }, &result->error);
  };
  if (runner_.run(std::move(task), deadline) == CallRunner::Outcome::kHung) {
    state_ = InstanceState::kHung;
    plugin_->pinned = true;  // its code may still be running: never unload it
    return deadline_exceeded("instance \"" + name_ + "\": " + what +
                             " did not return before its deadline (hung); the host will not call it again");
  }
  if (result->status == HYPERION_OK) return ok_status();
  // Never trust what a plugin wrote: bound the message and fall back on unknown codes.
  result->error.message[sizeof(result->error.message) - 1] = '\0';
  std::string message = scrub(result->error.message);
  if (message.empty()) message = "(no message)";
  return Status(hostapi::from_abi(result->status), "instance \"" + name_ + "\": " + what + " failed (" +
                                                       hostapi::abi_status_name(result->status) + "): " + message);
}

Status PluginInstance::create(const boost::json::object& config, Clock::time_point deadline) {
  const std::string json = boost::json::serialize(config);
  hyperion_instance_t* created = nullptr;
  auto vtable = plugin_->vtable;
  hyperion_host_ctx* ctx = ctx_.get();
  std::string name = name_;
  // `created` is written only if the call returns; a hung create leaks its instance.
  auto out = std::make_shared<hyperion_instance_t*>(nullptr);
  Status s = call("create", deadline, [vtable, ctx, json, name, out](hyperion_error_t* err) {
    return vtable.create(hostapi::host_api_table(), ctx, {name.data(), name.size()}, {json.data(), json.size()},
                         out.get(), err);
  });
  created = *out;
  if (!s.ok()) {
    if (state_ != InstanceState::kHung) state_ = InstanceState::kFailed;
    return s;
  }
  if (created == nullptr) {
    state_ = InstanceState::kFailed;
    return internal_error("instance \"" + name_ + "\": create returned HYPERION_OK but no instance");
  }
  instance_ = created;
  state_ = InstanceState::kCreated;
  return ok_status();
}

Status PluginInstance::start(Clock::time_point deadline) {
  if (state_ != InstanceState::kCreated) {
    return failed_precondition("instance \"" + name_ + "\": start in state " + instance_state_name(state_));
  }
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  uint64_t deadline_ns = to_monotonic_ns(deadline);
  Status s = call("start", deadline, [vtable, instance, deadline_ns](hyperion_error_t* err) {
    return vtable.start(instance, deadline_ns, err);
  });
  if (!s.ok()) {
    if (state_ != InstanceState::kHung) state_ = InstanceState::kFailed;
    return s;
  }
  state_ = InstanceState::kRunning;
  Status published = publish_services(deadline);
  if (!published.ok()) {
    // Running but unusable: stop it again so the caller can treat it as failed.
    (void)stop(deadline);
    if (state_ != InstanceState::kHung) state_ = InstanceState::kFailed;
    return published;
  }
  return ok_status();
}

Status PluginInstance::publish_services(Clock::time_point deadline) {
  for (const loader::ApiVersion& api : plugin_->metadata.provides) {
    hyperion_service_ref_t ref{};
    ref.struct_size = sizeof ref;
    auto vtable = plugin_->vtable;
    hyperion_instance_t* instance = instance_;
    auto out = std::make_shared<hyperion_service_ref_t>(ref);
    std::string api_name = api.api;
    uint32_t major = api.major;
    // Within the start deadline: get_service is part of starting.
    Status s = call("get_service", deadline,
                    [vtable, instance, out, api_name, major](hyperion_error_t* err) {
                      return vtable.get_service(instance, {api_name.data(), api_name.size()}, major, out.get(), err);
                    });
    if (!s.ok()) return s;
    if (out->vtable == nullptr) {
      return internal_error("instance \"" + name_ + "\": get_service(" + api.to_string() + ") returned no vtable");
    }
    published_.push_back(facilities_.services.publish(name_, api.api, api.major, *out));
  }
  return ok_status();
}

Status PluginInstance::stop(Clock::time_point deadline) {
  if (state_ != InstanceState::kRunning) {
    return failed_precondition("instance \"" + name_ + "\": stop in state " + instance_state_name(state_));
  }
  // A proposal of this instance waiting for the reload that is stopping it would
  // wait forever (and its timer or thread with it): it gives up now.
  ctx_->stopping = true;
  if (facilities_.wake_proposals) facilities_.wake_proposals();
  hostapi::cancel_timers(*ctx_);
  {
    // No health check begins from now on (state_ changes only after the
    // plugin's stop returns): the ABI promises none arrives after stop starts.
    std::lock_guard lock(health_gate_->mu);
    health_gate_->closed = true;
  }
  if (!wait_for_health_check(deadline)) ctx_->logger->warn("a health check is still inside at the stop deadline");
  size_t still_inside = facilities_.services.withdraw(std::exchange(published_, {}), deadline);
  if (still_inside > 0) {
    ctx_->logger->warn("{} service call(s) still inside at the stop deadline", still_inside);
  }
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  uint64_t deadline_ns = to_monotonic_ns(deadline);
  Status s = call("stop", deadline, [vtable, instance, deadline_ns](hyperion_error_t* err) {
    return vtable.stop(instance, deadline_ns, err);
  });
  if (state_ != InstanceState::kHung) state_ = InstanceState::kStopped;
  return s;
}

Status PluginInstance::destroy(Clock::time_point deadline) {
  if (instance_ == nullptr || state_ == InstanceState::kHung || state_ == InstanceState::kDestroyed) return ok_status();
  if (!wait_for_health_check(deadline)) {
    // Plugin code is still running a health check: freeing the instance under
    // it would crash. Treat it like a hung call: never destroyed, never unloaded.
    state_ = InstanceState::kHung;
    plugin_->pinned = true;
    std::string message = "instance \"" + name_ + "\": a health check never returned; not destroying it";
    ctx_->logger->error("{}", message);
    return deadline_exceeded(message);
  }
  hostapi::cancel_callbacks(*ctx_);
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  Status s = call("destroy", deadline, [vtable, instance](hyperion_error_t*) {
    vtable.destroy(instance);
    return HYPERION_OK;
  });
  if (!s.ok()) ctx_->logger->error("{}", s.message());
  if (state_ == InstanceState::kHung) return s;  // its code may still run: keep everything it may touch
  // Destroy was called: whether it threw or not, the instance may be freed, so
  // it is never called (or destroyed) again.
  instance_ = nullptr;
  state_ = InstanceState::kDestroyed;
  hostapi::release_handles(*ctx_);
  return s;
}

Status PluginInstance::reload_prepare(const boost::json::object& config, const std::string& diff_json,
                                      Clock::time_point deadline) {
  if (state_ != InstanceState::kRunning) {
    return failed_precondition("instance \"" + name_ + "\": reload in state " + instance_state_name(state_));
  }
  if (!reloadable()) return failed_precondition("instance \"" + name_ + "\": the plugin cannot reload");
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  auto json = std::make_shared<std::string>(boost::json::serialize(config));
  auto diff = std::make_shared<std::string>(diff_json);
  return call("reload_prepare", deadline, [vtable, instance, json, diff](hyperion_error_t* err) {
    return vtable.reload_prepare(instance, {json->data(), json->size()}, {diff->data(), diff->size()}, err);
  });
}

Status PluginInstance::reload_commit(Clock::time_point deadline) {
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  return call("reload_commit", deadline,
              [vtable, instance](hyperion_error_t* err) { return vtable.reload_commit(instance, err); });
}

Status PluginInstance::reload_abort(Clock::time_point deadline) {
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  Status s = call("reload_abort", deadline, [vtable, instance](hyperion_error_t*) {
    vtable.reload_abort(instance);
    return HYPERION_OK;
  });
  if (!s.ok()) ctx_->logger->error("{}", s.message());
  return s;
}

StatusOr<std::string> PluginInstance::export_state(size_t max_bytes, Clock::time_point deadline) {
  if (!has_state()) return failed_precondition("instance \"" + name_ + "\" has no \"state\" capability");
  if (state_ != InstanceState::kRunning) {
    return failed_precondition("instance \"" + name_ + "\": state_export in state " + instance_state_name(state_));
  }
  struct Buffer {
    std::string bytes;
    size_t max = 0;
    bool overflow = false;
  };
  auto buffer = std::make_shared<Buffer>();
  buffer->max = max_bytes;
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  Status s = call("state_export", deadline, [vtable, instance, buffer](hyperion_error_t* err) {
    hyperion_sink_t sink{sizeof(hyperion_sink_t), buffer.get(), [](void* c, const void* data, size_t size) {
                           auto* b = static_cast<Buffer*>(c);
                           if (b->overflow || b->bytes.size() + size > b->max) {
                             b->overflow = true;
                             return hyperion_status_t{HYPERION_ERR_INVALID_ARGUMENT};
                           }
                           b->bytes.append(static_cast<const char*>(data), size);
                           return hyperion_status_t{HYPERION_OK};
                         }};
    return vtable.state_export(instance, &sink, err);
  });
  if (!s.ok()) return s;
  if (buffer->overflow) {
    return invalid_argument("instance \"" + name_ + "\": state_export wrote more than the host's limit of " +
                            std::to_string(max_bytes) + " bytes");
  }
  return std::move(buffer->bytes);
}

Status PluginInstance::import_state(const std::string& state, Clock::time_point deadline) {
  if (!has_state()) return failed_precondition("instance \"" + name_ + "\" has no \"state\" capability");
  if (state_ != InstanceState::kCreated) {
    return failed_precondition("instance \"" + name_ + "\": state_import in state " + instance_state_name(state_));
  }
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  auto bytes = std::make_shared<std::string>(state);
  return call("state_import", deadline, [vtable, instance, bytes](hyperion_error_t* err) {
    return vtable.state_import(instance, {reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()}, err);
  });
}

void PluginInstance::pause_services() { facilities_.services.pause(published_); }
void PluginInstance::resume_services() { facilities_.services.resume(published_); }
size_t PluginInstance::drain_services(Clock::time_point deadline) {
  return facilities_.services.drain(published_, deadline);
}

std::optional<PluginInstance::HealthCheck> PluginInstance::prepare_health_check() {
  if (state_ != InstanceState::kRunning || !has_health_check()) return std::nullopt;
  {
    std::lock_guard lock(health_gate_->mu);
    // The last check has not returned, or the instance is stopping.
    if (health_gate_->inside != 0 || health_gate_->closed) return std::nullopt;
    health_gate_->inside = 1;
  }
  return make_health_check();
}

PluginInstance::HealthCheck PluginInstance::make_health_check() {
  HealthCheck check;
  check.result = std::make_shared<HealthCheck::Result>();
  check.result->error.struct_size = sizeof(hyperion_error_t);
  auto vtable = plugin_->vtable;
  hyperion_instance_t* instance = instance_;
  // The task keeps what the plugin may touch alive, however late it returns.
  check.task = [vtable, instance, result = check.result, gate = health_gate_, ctx = ctx_, plugin = plugin_,
                scrubber = facilities_.secrets] {
    hyperion_sink_t sink{sizeof(hyperion_sink_t), &result->report, [](void* c, const void* data, size_t size) {
                           auto* out = static_cast<std::string*>(c);
                           if (out->size() + size > 1024 * 1024) return hyperion_status_t{HYPERION_ERR_INVALID_ARGUMENT};
                           out->append(static_cast<const char*>(data), size);
                           return hyperion_status_t{HYPERION_OK};
                         }};
    result->status = call_guarded([&] { return vtable.health(instance, &sink, &result->error); }, &result->error);
    result->error.message[sizeof(result->error.message) - 1] = '\0';
    // Whoever reads the report (the aggregator, health(), the endpoints) gets
    // it without the secrets the host gave plugins. The scrubber is held by the
    // task: a check that returns after the host is gone must not touch the host.
    scrubber->scrub_health_report(result->report);
    std::string message = result->error.message;
    if (scrubber->scrub_in_place(message)) hyperion_error_set(&result->error, result->status, message.c_str());
    {
      std::lock_guard lock(gate->mu);
      --gate->inside;
    }
    gate->cv.notify_all();
  };
  return check;
}

std::vector<StatusOr<std::string>> PluginInstance::health_burst(size_t calls, Clock::time_point deadline) {
  std::vector<StatusOr<std::string>> answers;
  if (state_ != InstanceState::kRunning || !has_health_check()) {
    answers.assign(calls, failed_precondition("instance \"" + name_ + "\" is " + instance_state_name(state_) +
                                              (has_health_check() ? "" : " and reports no health")));
    return answers;
  }
  std::vector<HealthCheck> checks;
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(health_gate_->mu);
    if (health_gate_->closed) {
      answers.assign(calls, failed_precondition("instance \"" + name_ + "\" is stopping"));
      return answers;
    }
    health_gate_->inside += calls;
  }
  for (size_t i = 0; i < calls; ++i) {
    checks.push_back(make_health_check());
    tasks.push_back(checks.back().task);
  }
  auto outcomes = runner_.run_all(std::move(tasks), std::vector<Clock::time_point>(calls, deadline));
  for (size_t i = 0; i < calls; ++i) {
    const HealthCheck::Result& r = *checks[i].result;
    if (outcomes[i] == CallRunner::Outcome::kHung) {
      answers.push_back(deadline_exceeded("instance \"" + name_ + "\": health check timed out"));
    } else if (r.status != HYPERION_OK) {
      answers.push_back(
          Status(hostapi::from_abi(r.status), "instance \"" + name_ + "\": health failed: " + r.error.message));
    } else {
      answers.push_back(r.report);
    }
  }
  return answers;
}

bool PluginInstance::wait_for_health_check(Clock::time_point deadline) {
  std::unique_lock lock(health_gate_->mu);
  return health_gate_->cv.wait_until(lock, deadline, [&] { return health_gate_->inside == 0; });
}

StatusOr<std::string> PluginInstance::health(Clock::time_point deadline) {
  if (state_ != InstanceState::kRunning) {
    return failed_precondition("instance \"" + name_ + "\" is " + instance_state_name(state_));
  }
  if (!has_health_check()) return failed_precondition("instance \"" + name_ + "\" reports no health");
  auto check = prepare_health_check();
  if (!check)
    return unavailable("instance \"" + name_ + "\": the previous health check has not returned, or it is stopping");
  if (runner_.run(check->task, deadline) == CallRunner::Outcome::kHung) {
    return deadline_exceeded("instance \"" + name_ + "\": health check timed out");
  }
  if (check->result->status != HYPERION_OK) {
    return Status(hostapi::from_abi(check->result->status),
                  "instance \"" + name_ + "\": health failed: " + check->result->error.message);
  }
  return check->result->report;
}

}  // namespace hyperion::lifecycle
