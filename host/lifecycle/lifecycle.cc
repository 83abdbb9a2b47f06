#include "lifecycle/lifecycle.h"

namespace hyperion::lifecycle {

const char* instance_event_name(InstanceEvent event) {
  switch (event) {
    case InstanceEvent::kStarted: return "started";
    case InstanceEvent::kStopped: return "stopped";
    case InstanceEvent::kFailed: return "failed";
    case InstanceEvent::kHung: return "hung";
  }
  return "?";
}

namespace {
InstanceEvent failure_event(const PluginInstance& instance) {
  return instance.state() == InstanceState::kHung ? InstanceEvent::kHung : InstanceEvent::kFailed;
}
}  // namespace

Lifecycle::Lifecycle(std::vector<LiveInstance> instances, Observer observer)
    : instances_(std::move(instances)), observer_(std::move(observer)) {
  if (!observer_) observer_ = [](InstanceEvent, const PluginInstance&, const std::string&) {};
}

Lifecycle::~Lifecycle() { (void)stop_all(); }

Status Lifecycle::start_all() {
  using Clock = std::chrono::steady_clock;
  for (size_t i = 0; i < instances_.size(); ++i) {
    LiveInstance& plan = instances_[i];
    auto deadline = Clock::now() + plan.start_timeout;
    Status s = plan.instance->create(plan.config, deadline);
    if (s.ok()) s = plan.instance->start(deadline);
    if (!s.ok()) {
      observer_(failure_event(*plan.instance), *plan.instance, s.message());
      (void)plan.instance->destroy(Clock::now() + plan.stop_timeout);  // logged; the start failure is the news
      Status rollback = stop_range(i);
      std::string message = "start failed at instance \"" + plan.instance->name() + "\": " + s.message();
      if (!rollback.ok()) message += "\nwhile stopping the instances already started: " + rollback.message();
      return Status(s.code(), message);
    }
    observer_(InstanceEvent::kStarted, *plan.instance, "");
  }
  return ok_status();
}

Status Lifecycle::stop_range(size_t count) {
  using Clock = std::chrono::steady_clock;
  Status first;
  for (size_t i = count; i-- > 0;) {
    LiveInstance& plan = instances_[i];
    PluginInstance& inst = *plan.instance;
    if (inst.state() == InstanceState::kRunning) {
      Status s = inst.stop(Clock::now() + plan.stop_timeout);
      if (!s.ok()) {
        observer_(failure_event(inst), inst, s.message());
        if (first.ok()) first = s;
      } else {
        observer_(InstanceEvent::kStopped, inst, "");
      }
    }
    Status destroyed = inst.destroy(Clock::now() + plan.stop_timeout);
    if (!destroyed.ok()) {
      observer_(failure_event(inst), inst, destroyed.message());
      if (first.ok()) first = destroyed;
    }
  }
  return first;
}

Status Lifecycle::stop_all() { return stop_range(instances_.size()); }

std::vector<std::string> Lifecycle::running() const {
  std::vector<std::string> out;
  for (const LiveInstance& p : instances_) {
    if (p.instance->state() == InstanceState::kRunning) out.push_back(p.instance->name());
  }
  return out;
}

}  // namespace hyperion::lifecycle
