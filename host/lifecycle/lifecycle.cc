#include "lifecycle/lifecycle.h"

namespace hyperion::lifecycle {

Lifecycle::Lifecycle(std::vector<InstancePlan> plans, Observer observer)
    : plans_(std::move(plans)), observer_(std::move(observer)) {
  if (!observer_) observer_ = [](const std::string&, const PluginInstance&, const std::string&) {};
}

Lifecycle::~Lifecycle() { (void)stop_all(); }

Status Lifecycle::start_all() {
  using Clock = std::chrono::steady_clock;
  for (size_t i = 0; i < plans_.size(); ++i) {
    InstancePlan& plan = plans_[i];
    auto deadline = Clock::now() + plan.start_timeout;
    Status s = plan.instance->create(plan.config, deadline);
    if (s.ok()) s = plan.instance->start(deadline);
    if (!s.ok()) {
      bool hung = plan.instance->state() == InstanceState::kHung;
      observer_(hung ? "hung" : "failed", *plan.instance, s.message());
      (void)plan.instance->destroy(Clock::now() + plan.stop_timeout);  // logged; the start failure is the news
      Status rollback = stop_range(i);
      std::string message = "start failed at instance \"" + plan.instance->name() + "\": " + s.message();
      if (!rollback.ok()) message += "\nwhile stopping the instances already started: " + rollback.message();
      return Status(s.code(), message);
    }
    observer_("started", *plan.instance, "");
  }
  return ok_status();
}

Status Lifecycle::stop_range(size_t count) {
  using Clock = std::chrono::steady_clock;
  Status first;
  for (size_t i = count; i-- > 0;) {
    InstancePlan& plan = plans_[i];
    PluginInstance& inst = *plan.instance;
    if (inst.state() == InstanceState::kRunning) {
      Status s = inst.stop(Clock::now() + plan.stop_timeout);
      if (!s.ok()) {
        observer_(inst.state() == InstanceState::kHung ? "hung" : "failed", inst, s.message());
        if (first.ok()) first = s;
      } else {
        observer_("stopped", inst, "");
      }
    }
    Status destroyed = inst.destroy(Clock::now() + plan.stop_timeout);
    if (!destroyed.ok()) {
      observer_(inst.state() == InstanceState::kHung ? "hung" : "failed", inst, destroyed.message());
      if (first.ok()) first = destroyed;
    }
  }
  return first;
}

Status Lifecycle::stop_all() { return stop_range(plans_.size()); }

std::vector<std::string> Lifecycle::running() const {
  std::vector<std::string> out;
  for (const InstancePlan& p : plans_) {
    if (p.instance->state() == InstanceState::kRunning) out.push_back(p.instance->name());
  }
  return out;
}

}  // namespace hyperion::lifecycle
