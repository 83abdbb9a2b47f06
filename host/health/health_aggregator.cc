#include "health/health_aggregator.h"

#include <boost/json.hpp>
#include <map>

#include "hostapi/abi_status.h"

namespace hyperion::health {
namespace {

using Clock = std::chrono::steady_clock;

// Reads the plugin's report; anything malformed is itself a finding.
void read_report(const std::string& text, InstanceHealth& out) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  const boost::json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  const boost::json::value* status = o ? o->if_contains("status") : nullptr;
  auto parsed = status && status->is_string() ? parse_health_status(status->as_string()) : std::nullopt;
  if (!parsed) {
    out.status = HealthStatus::kUnhealthy;
    out.cause = "error";
    out.message = "invalid health report (expected {\"status\": \"healthy\"|\"degraded\"|\"unhealthy\", ...})";
    return;
  }
  out.status = *parsed;
  if (const boost::json::value* m = o->if_contains("message"); m && m->is_string()) out.message = std::string(m->as_string());
  if (const boost::json::value* d = o->if_contains("details"); d && d->is_object()) out.details = d->as_object();
}

}  // namespace

std::optional<HealthStatus> parse_health_status(std::string_view s) {
  if (s == "healthy") return HealthStatus::kHealthy;
  if (s == "degraded") return HealthStatus::kDegraded;
  if (s == "unhealthy") return HealthStatus::kUnhealthy;
  return std::nullopt;
}

const char* health_status_name(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy: return "healthy";
    case HealthStatus::kDegraded: return "degraded";
    case HealthStatus::kUnhealthy: return "unhealthy";
  }
  return "?";
}

const InstanceHealth* HealthSnapshot::find(const std::string& name) const {
  for (const InstanceHealth& i : instances) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

boost::json::object HealthSnapshot::to_json() const {
  boost::json::object instances_json;
  for (const InstanceHealth& i : instances) {
    boost::json::object o{{"status", health_status_name(i.status)},
                          {"message", i.message},
                          {"details", i.details},
                          {"duration_ms", i.duration_ms},
                          {"optional", i.optional}};
    if (!i.cause.empty()) o["cause"] = i.cause;
    instances_json[i.name] = std::move(o);
  }
  return {{"status", health_status_name(status)}, {"live", live},         {"ready", ready},
          {"phase", phase},                       {"draining", draining}, {"instances", std::move(instances_json)}};
}

HealthAggregator::HealthAggregator(lifecycle::CallRunner& runner, Source source, std::chrono::milliseconds ttl)
    : runner_(runner), source_(std::move(source)), ttl_(ttl) {}

void HealthAggregator::expire() {
  std::lock_guard lock(mu_);
  if (last_) last_->taken = Clock::time_point{};
}

uint64_t HealthAggregator::rounds() const {
  std::lock_guard lock(mu_);
  return rounds_;
}

HealthSnapshot HealthAggregator::check() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (last_ && Clock::now() - last_->taken < ttl_) return *last_;
    if (!computing_) break;
    // Single flight: wait for the round in progress instead of starting another.
    cv_.wait(lock, [&] { return !computing_; });
  }
  computing_ = true;
  uint64_t round = ++rounds_;
  lock.unlock();
  HealthSnapshot snapshot = compute(round);
  lock.lock();
  computing_ = false;
  last_ = snapshot;
  cv_.notify_all();
  return snapshot;
}

HealthSnapshot HealthAggregator::compute(uint64_t round) {
  HealthSnapshot snap;
  snap.round = round;
  snap.phase = source_.phase();
  snap.draining = source_.draining();
  auto targets = source_.targets();
  if (!targets) {
    // The instances are being changed by a reload: the last findings still hold.
    std::lock_guard lock(mu_);
    if (last_) {
      snap.instances = last_->instances;
      snap.status = last_->status;
    }
  } else {
    std::vector<std::function<void()>> tasks;
    std::vector<Clock::time_point> deadlines;
    std::vector<size_t> task_of;  // target index -> task index
    auto begin = Clock::now();
    for (HealthTarget& t : *targets) {
      if (t.check) {
        task_of.push_back(tasks.size());
        tasks.push_back(t.check->task);
        deadlines.push_back(begin + t.timeout);
      } else {
        task_of.push_back(SIZE_MAX);
      }
    }
    std::vector<lifecycle::CallRunner::Outcome> outcomes = runner_.run_all(std::move(tasks), deadlines);
    auto end = Clock::now();
    for (size_t i = 0; i < targets->size(); ++i) {
      HealthTarget& t = (*targets)[i];
      InstanceHealth h;
      h.name = t.name;
      h.optional = t.optional;
      if (t.state != "running") {
        h.status = HealthStatus::kUnhealthy;
        h.cause = "not running";
        h.message = "instance is " + t.state;
      } else if (!t.has_check) {
        h.message = "running (the plugin reports no health of its own)";
      } else if (!t.check) {
        h.status = HealthStatus::kUnhealthy;
        h.cause = "timeout";
        h.message = "the previous health check has not returned; not called again until it does";
      } else {
        size_t k = task_of[i];
        h.duration_ms = std::chrono::duration<double, std::milli>(end - begin).count();
        if (outcomes[k] == lifecycle::CallRunner::Outcome::kHung) {
          h.status = HealthStatus::kUnhealthy;
          h.cause = "timeout";
          h.message = "health check did not return within " + std::to_string(t.timeout.count()) + " ms";
          h.duration_ms = static_cast<double>(t.timeout.count());
        } else if (t.check->result->status != HYPERION_OK) {
          h.status = HealthStatus::kUnhealthy;
          h.cause = "error";
          h.message = hostapi::abi_status_name(t.check->result->status) + ": " + t.check->result->error.message;
        } else {
          read_report(t.check->result->report, h);
        }
      }
      snap.instances.push_back(std::move(h));
    }
    // A healthy instance whose required provider is unhealthy cannot really work.
    std::map<std::string, HealthStatus> by_name;
    for (const InstanceHealth& h : snap.instances) by_name[h.name] = h.status;
    for (size_t i = 0; i < targets->size(); ++i) {
      InstanceHealth& h = snap.instances[i];
      for (const std::string& provider : (*targets)[i].depends_on) {
        auto it = by_name.find(provider);
        if (it != by_name.end() && it->second == HealthStatus::kUnhealthy && h.status == HealthStatus::kHealthy) {
          h.status = HealthStatus::kDegraded;
          h.cause = "dependency";
          h.message = "depends on \"" + provider + "\", which is unhealthy";
        }
      }
    }
    snap.status = HealthStatus::kHealthy;
    for (const InstanceHealth& h : snap.instances) {
      // Optional instances never make the whole worse than degraded.
      HealthStatus counted = h.optional && h.status == HealthStatus::kUnhealthy ? HealthStatus::kDegraded : h.status;
      if (counted > snap.status) snap.status = counted;
    }
  }
  bool required_unhealthy = false;
  for (const InstanceHealth& h : snap.instances) {
    required_unhealthy = required_unhealthy || (!h.optional && h.status == HealthStatus::kUnhealthy);
  }
  snap.ready = snap.phase == "running" && !snap.draining && !required_unhealthy;
  snap.taken = Clock::now();
  return snap;
}

}  // namespace hyperion::health
