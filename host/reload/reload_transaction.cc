#include "reload/reload_transaction.h"

#include <map>
#include <optional>
#include <set>

#include "reload/config_diff.h"

namespace hyperion::reload {
namespace {

using Clock = std::chrono::steady_clock;

const char* action_name(int action) {
  static constexpr const char* kNames[] = {"keep", "reload", "restart", "add", "remove", "swap"};
  return kNames[action];
}

}  // namespace

ReloadTransaction::ReloadTransaction(const planning::ResolvedApp& current, const planning::ResolvedApp& next,
                                     lifecycle::Lifecycle& lifecycle, InstanceFactory make_instance, Policy policy)
    : current_(current),
      next_(next),
      lifecycle_(lifecycle),
      make_instance_(std::move(make_instance)),
      policy_(policy) {}

Clock::time_point ReloadTransaction::call_deadline() const { return Clock::now() + policy_.call_timeout; }

void ReloadTransaction::classify(std::map<std::string, lifecycle::LiveInstance>& running) {
  std::set<std::string> restarting;  // in start order, so providers are decided first
  for (const std::string& name : next_.graph.start_order()) {
    Step step;
    step.name = name;
    step.after = next_.find(name);
    step.before = current_.find(name);
    auto it = running.find(name);
    if (step.before == nullptr || it == running.end()) {
      step.action = Action::kAdd;
    } else {
      step.running = std::move(it->second);
      running.erase(it);
      std::set<std::string> secrets = step.before->spec->secret_fields;
      secrets.insert(step.after->spec->secret_fields.begin(), step.after->spec->secret_fields.end());
      step.changes = diff_config(step.before->config, step.after->config, step.after->metadata.config_schema, secrets);
      bool static_change = false;
      for (const FieldChange& c : step.changes) {
        if (!c.dynamic && !static_change) {
          static_change = true;
          step.restart_reason = "static field " + c.path + " changed";
        }
      }
      const bool library_changed = step.before->plugin != step.after->plugin;
      std::string why_not_swap;
      if (planning::provider_bindings(*step.before, current_.graph) !=
          planning::provider_bindings(*step.after, next_.graph)) {
        step.action = Action::kRestart;
        step.restart_reason = "its service providers changed";
      } else if (library_changed || static_change) {
        if (library_changed) {
          step.restart_reason = "the library changed (sha256 " + step.after->plugin->sha256.substr(0, 12) + ")";
        }
        if (swappable(step, static_change, why_not_swap)) {
          step.action = Action::kSwap;
        } else {
          step.action = Action::kRestart;
          step.restart_reason += " and " + why_not_swap;
        }
      } else if (step.changes.empty()) {
        step.action = Action::kKeep;
      } else if (!step.running.instance->reloadable()) {
        step.restart_reason = "the plugin cannot reload (no \"reload\" capability)";
        step.action = swappable(step, true, why_not_swap) ? Action::kSwap : Action::kRestart;
      } else {
        step.action = Action::kReload;
      }
      // A provider that restarts loses whatever its consumers set up in it
      // (registered handlers, subscriptions): they restart with it, stopped
      // before it and started after it.
      if (step.action == Action::kKeep || step.action == Action::kReload || step.action == Action::kSwap) {
        for (const auto& [api, provider] : planning::provider_bindings(*step.after, next_.graph)) {
          if (restarting.count(provider) != 0) {
            step.action = Action::kRestart;
            step.restart_reason = "its provider \"" + provider + "\" restarts";
            break;
          }
        }
      }
      if (step.action == Action::kRestart) restarting.insert(name);
    }
    if (step.action != Action::kKeep) {
      boost::json::object entry{{"action", action_name(static_cast<int>(step.action))},
                                {"changes", changes_to_json(step.changes)}};
      if (step.action == Action::kRestart || step.action == Action::kSwap) entry["reason"] = step.restart_reason;
      if (step.action == Action::kSwap) {
        auto side = [](const planning::ResolvedInstance& r) {
          return boost::json::object{
              {"library", r.plugin->source_path}, {"version", r.metadata.version}, {"sha256", r.plugin->sha256}};
        };
        entry["from"] = side(*step.before);
        entry["to"] = side(*step.after);
      }
      result_.diff[name] = std::move(entry);
    }
    steps_.push_back(std::move(step));
  }
  // Whatever is left runs now and is not wanted any more: remove it, in reverse
  // of the old start order.
  const auto& old_order = current_.graph.start_order();
  for (auto it = old_order.rbegin(); it != old_order.rend(); ++it) {
    auto r = running.find(*it);
    if (r == running.end()) continue;
    Step step;
    step.name = *it;
    step.action = Action::kRemove;
    step.before = current_.find(*it);
    step.running = std::move(r->second);
    running.erase(r);
    result_.diff[step.name] = boost::json::object{{"action", "remove"}, {"changes", boost::json::array{}}};
    steps_.push_back(std::move(step));
  }
}

bool ReloadTransaction::swappable(const Step& step, bool static_change, std::string& why_not) const {
  const bool both_promise = step.before->metadata.has("swap") && step.after->metadata.has("swap");
  if (static_change && !both_promise) {
    why_not = "the plugin does not declare the \"swap\" capability (two instances of it may not run at once)";
    return false;
  }
  // Consumers keep their handles across a swap; what they set up inside the
  // old provider (registered handlers, subscriptions) would be lost, so a
  // provider is swapped under them only when it promises there is none.
  if (!both_promise) {
    for (const planning::ResolvedInstance& other : next_.instances) {
      for (const auto& [api, provider] : planning::provider_bindings(other, next_.graph)) {
        if (provider == step.name && other.spec->name != step.name) {
          why_not = "it provides " + api + " to \"" + other.spec->name +
                    "\" and does not declare the \"swap\" capability (its consumers restart with it)";
          return false;
        }
      }
    }
  }
  return true;
}

Status ReloadTransaction::swap_in(Step& step) {
  lifecycle::PluginInstance& old = *step.running.instance;
  lifecycle::PluginInstance& next = *step.successor.instance;
  const bool handover = old.has_state() && next.has_state();
  if (old.has_state() != next.has_state()) {
    result_.warnings.push_back("instance \"" + step.name + "\": only the " + (old.has_state() ? "old" : "new") +
                               " library declares the \"state\" capability, so no state was handed over");
  }
  // Resumes the old instance's paused services however the swap ends: after
  // a successful start its publications are covered and nothing new reaches
  // them; after a failure it serves on as before.
  struct PauseGuard {
    lifecycle::PluginInstance& instance;
    explicit PauseGuard(lifecycle::PluginInstance& i) : instance(i) { instance.pause_services(); }
    ~PauseGuard() { instance.resume_services(); }
    PauseGuard(const PauseGuard&) = delete;
    PauseGuard& operator=(const PauseGuard&) = delete;
  };
  std::optional<PauseGuard> paused;
  if (handover) {
    // A consistent snapshot: new uses of the old instance's services wait, the
    // ones inside finish, then the state moves. The successor's start covers
    // the old publications, and the waiting uses go on in the successor.
    paused.emplace(old);
    if (size_t inside = old.drain_services(Clock::now() + step.running.stop_timeout); inside > 0) {
      return unavailable("swap: " + std::to_string(inside) + " service call(s) stayed inside the old instance past " +
                         std::to_string(step.running.stop_timeout.count()) +
                         " ms, so its state could not be taken consistently");
    }
    auto state = old.export_state(policy_.max_state_bytes, call_deadline());
    if (!state.ok()) return state.status().with_prefix("swap: the old instance could not export its state");
    result_.diff[step.name].as_object()["state_bytes"] = state->size();
    if (Status imported = next.import_state(*state, call_deadline()); !imported.ok()) {
      return imported.with_prefix("swap: the new instance refused the old one's state");
    }
  }
  return next.start(Clock::now() + step.successor.start_timeout);
}

void ReloadTransaction::retire_swapped() {
  const auto& observe = lifecycle_.observer();
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    Step& s = *it;
    if (s.action != Action::kSwap || s.progress != Progress::kCommitted) continue;
    lifecycle::PluginInstance& old = *s.running.instance;
    Status stopped = old.stop(Clock::now() + s.running.stop_timeout);
    if (!stopped.ok())
      result_.warnings.push_back(stopped.message());
    else
      observe(lifecycle::InstanceEvent::kStopped, old, "swapped out: " + s.restart_reason);
    if (Status d = old.destroy(Clock::now() + s.running.stop_timeout); !d.ok()) result_.warnings.push_back(d.message());
    if (s.before->plugin != s.after->plugin) {
      result_.swaps.push_back({s.name, s.before->plugin, s.before->plugin->cached_path, s.before->plugin->sha256});
    }
  }
}

ReloadResult ReloadTransaction::fail(ReloadOutcome outcome, ReloadError error, const Step& step, const Status& why) {
  result_.outcome = outcome;
  result_.error = error;
  result_.instance = step.name;
  result_.reason = why.message();
  if (step.changes.size() == 1) result_.field = step.changes[0].path;
  return result_;
}

ReloadResult ReloadTransaction::run() {
  std::map<std::string, lifecycle::LiveInstance> running;
  for (lifecycle::LiveInstance& p : lifecycle_.release_instances()) {
    std::string name = p.instance->name();
    running.emplace(std::move(name), std::move(p));
  }
  classify(running);
  const auto& observe = lifecycle_.observer();

  bool anything = false;
  for (const Step& s : steps_) anything = anything || s.action != Action::kKeep;
  if (!anything) {
    // Only host-side settings (timeouts, optional, after) may differ: adopt them.
    std::vector<lifecycle::LiveInstance> plans;
    for (Step& s : steps_) {
      s.running.start_timeout = s.after->spec->start_timeout;
      s.running.stop_timeout = s.after->spec->stop_timeout;
      plans.push_back(std::move(s.running));
    }
    lifecycle_.adopt_instances(std::move(plans));
    result_.outcome = ReloadOutcome::kUnchanged;
    return result_;
  }

  if (!policy_.must_swap.empty()) {
    for (const Step& s : steps_) {
      if (s.name != policy_.must_swap || s.action == Action::kSwap || s.action == Action::kKeep) continue;
      restore_old_set();
      result_.outcome = ReloadOutcome::kRefused;
      result_.error = ReloadError::kSwapFailed;
      result_.instance = s.name;
      result_.reason = "it cannot be swapped: " + s.restart_reason +
                       "; change its library: in the manifest and reload to restart it instead";
      return result_;
    }
  }

  if (policy_.refuse_static_changes) {
    for (const Step& s : steps_) {
      if (s.action == Action::kRestart) {
        restore_old_set();
        result_.outcome = ReloadOutcome::kRefused;
        result_.error = ReloadError::kStaticChangeRefused;
        result_.instance = s.name;
        for (const FieldChange& c : s.changes) {
          if (!c.dynamic) {
            result_.field = c.path;
            break;
          }
        }
        result_.reason = s.restart_reason + ", and the host is set to refuse reloads that need a restart";
        return result_;
      }
    }
  }

  // Prepare, in the new start order.
  for (Step& s : steps_) {
    Status st;
    if (s.action == Action::kReload) {
      st = s.running.instance->reload_prepare(s.after->config, changes_to_abi_json(s.changes), call_deadline());
    } else if (s.action == Action::kRestart || s.action == Action::kAdd || s.action == Action::kSwap) {
      s.successor = make_instance_(*s.after, next_.graph);
      st = s.successor.instance->create(s.successor.config, Clock::now() + s.successor.start_timeout);
      if (!st.ok()) (void)s.successor.instance->destroy(Clock::now() + s.successor.stop_timeout);
    } else {
      continue;
    }
    if (!st.ok()) {
      abort_prepared();
      restore_old_set();
      return fail(ReloadOutcome::kRefused,
                  s.action == Action::kSwap ? ReloadError::kSwapFailed : ReloadError::kRefusedByPlugin, s,
                  st.with_prefix(s.action == Action::kSwap ? "swap failed" : "prepare failed"));
    }
    s.progress = Progress::kPrepared;
  }

  // Commit. First stop every instance that restarts, dependents before their
  // providers (reverse start order), so each releases what it holds in a
  // provider while that provider still runs; then commit and start, in the new
  // start order.
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    Step& s = *it;
    if (s.progress != Progress::kPrepared || s.action != Action::kRestart) continue;
    lifecycle::PluginInstance& old = *s.running.instance;
    Status stopped = old.stop(Clock::now() + s.running.stop_timeout);
    if (!stopped.ok()) result_.warnings.push_back(stopped.message());
    else
      observe(lifecycle::InstanceEvent::kStopped, old, "restart: " + s.restart_reason);
    if (Status d = old.destroy(Clock::now() + s.running.stop_timeout); !d.ok()) result_.warnings.push_back(d.message());
    s.progress = Progress::kOldStopped;
  }
  for (Step& s : steps_) {
    if (s.progress != Progress::kPrepared && s.progress != Progress::kOldStopped) continue;
    Status st;
    if (s.action == Action::kReload) {
      st = s.running.instance->reload_commit(call_deadline());
    } else if (s.action == Action::kRestart) {
      st = s.successor.instance->start(Clock::now() + s.successor.start_timeout);
      if (!st.ok()) (void)s.successor.instance->destroy(Clock::now() + s.successor.stop_timeout);
      else
        observe(lifecycle::InstanceEvent::kStarted, *s.successor.instance, "restart: " + s.restart_reason);
    } else if (s.action == Action::kAdd) {
      st = s.successor.instance->start(Clock::now() + s.successor.start_timeout);
      if (!st.ok()) (void)s.successor.instance->destroy(Clock::now() + s.successor.stop_timeout);
      else
        observe(lifecycle::InstanceEvent::kStarted, *s.successor.instance, "added");
    } else if (s.action == Action::kSwap) {
      st = swap_in(s);
      if (!st.ok())
        (void)s.successor.instance->destroy(Clock::now() + s.successor.stop_timeout);
      else
        observe(lifecycle::InstanceEvent::kStarted, *s.successor.instance, "swap: " + s.restart_reason);
    }
    if (!st.ok()) {
      // The failing step itself: a failed commit keeps its previous config (ABI
      // contract); a restart whose new instance failed has lost its old one,
      // which roll_back_committed brings back like any other stopped old one.
      if (s.action != Action::kRestart) s.progress = Progress::kNone;
      roll_back_committed();
      abort_prepared();
      restore_old_set();
      if (s.action == Action::kSwap) {
        return fail(ReloadOutcome::kRolledBack, ReloadError::kSwapFailed, s, st.with_prefix("swap failed"));
      }
      return fail(ReloadOutcome::kRolledBack, ReloadError::kCommitFailed, s, st.with_prefix("commit failed"));
    }
    s.progress = Progress::kCommitted;
  }

  retire_swapped();
  // Remove what is no longer wanted, in reverse of the old start order.
  for (Step& s : steps_) {
    if (s.action != Action::kRemove) continue;
    lifecycle::PluginInstance& inst = *s.running.instance;
    if (inst.state() == lifecycle::InstanceState::kRunning) {
      Status stopped = inst.stop(Clock::now() + s.running.stop_timeout);
      if (!stopped.ok()) result_.warnings.push_back(stopped.message());
      else
        observe(lifecycle::InstanceEvent::kStopped, inst, "removed");
    }
    if (Status d = inst.destroy(Clock::now() + s.running.stop_timeout); !d.ok()) result_.warnings.push_back(d.message());
  }

  std::vector<lifecycle::LiveInstance> plans;
  for (Step& s : steps_) {
    if (s.action == Action::kRemove) continue;
    lifecycle::LiveInstance p = (s.action == Action::kRestart || s.action == Action::kAdd || s.action == Action::kSwap)
                                    ? std::move(s.successor)
                                    : std::move(s.running);
    p.config = s.after->config;
    p.start_timeout = s.after->spec->start_timeout;
    p.stop_timeout = s.after->spec->stop_timeout;
    plans.push_back(std::move(p));
  }
  lifecycle_.adopt_instances(std::move(plans));
  result_.outcome = ReloadOutcome::kApplied;
  return result_;
}

void ReloadTransaction::abort_prepared() {
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    if (it->progress != Progress::kPrepared) continue;
    if (it->action == Action::kReload) {
      Status aborted = it->running.instance->reload_abort(call_deadline());
      if (!aborted.ok()) result_.warnings.push_back(aborted.message());
    } else if (it->successor.instance) {
      (void)it->successor.instance->destroy(Clock::now() + it->successor.stop_timeout);
    }
    it->progress = Progress::kNone;
  }
}

void ReloadTransaction::roll_back_committed() {
  const auto& observe = lifecycle_.observer();
  // Undo in reverse start order: configs back, new instances stopped...
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    Step& s = *it;
    if (s.action == Action::kReload && s.progress == Progress::kCommitted) {
      // Back to the previous config through the same two phases.
      auto reverse = diff_config(s.after->config, s.before->config, s.before->metadata.config_schema,
                                 s.before->spec->secret_fields);
      Status st = s.running.instance->reload_prepare(s.before->config, changes_to_abi_json(reverse), call_deadline());
      if (st.ok()) st = s.running.instance->reload_commit(call_deadline());
      if (!st.ok()) result_.warnings.push_back("instance \"" + s.name + "\" could not be rolled back: " + st.message());
      s.progress = Progress::kNone;
    } else if (s.action == Action::kSwap && s.progress == Progress::kCommitted) {
      // The successor goes; the old instance never stopped and serves again as
      // its publications are uncovered.
      if (s.successor.instance->state() == lifecycle::InstanceState::kRunning) {
        (void)s.successor.instance->stop(Clock::now() + s.successor.stop_timeout);
      }
      (void)s.successor.instance->destroy(Clock::now() + s.successor.stop_timeout);
      s.progress = Progress::kNone;
    } else if ((s.action == Action::kRestart && s.progress != Progress::kNone && s.progress != Progress::kPrepared) ||
               (s.action == Action::kAdd && s.progress == Progress::kCommitted)) {
      if (s.successor.instance->state() == lifecycle::InstanceState::kRunning) {
        (void)s.successor.instance->stop(Clock::now() + s.successor.stop_timeout);
        if (s.action == Action::kAdd) observe(lifecycle::InstanceEvent::kStopped, *s.successor.instance, "rolled back");
      }
      (void)s.successor.instance->destroy(Clock::now() + s.successor.stop_timeout);
      if (s.action == Action::kAdd) s.progress = Progress::kNone;
    }
  }
  // ...then every restarted instance comes back with its old config, providers
  // before their consumers (start order).
  for (Step& s : steps_) {
    if (s.action != Action::kRestart || s.progress == Progress::kNone || s.progress == Progress::kPrepared) continue;
    lifecycle::LiveInstance again = make_instance_(*s.before, current_.graph);
    Status st = again.instance->create(again.config, Clock::now() + again.start_timeout);
    if (st.ok()) st = again.instance->start(Clock::now() + again.start_timeout);
    if (!st.ok()) {
      (void)again.instance->destroy(Clock::now() + again.stop_timeout);
      result_.warnings.push_back("instance \"" + s.name + "\" could not be restarted with its previous config: " +
                                 st.message());
    } else {
      observe(lifecycle::InstanceEvent::kStarted, *again.instance, "rolled back");
    }
    s.running = std::move(again);
    s.progress = Progress::kNone;
  }
}

void ReloadTransaction::restore_old_set() {
  // Every instance that was running before, in the old start order.
  std::map<std::string, lifecycle::LiveInstance*> by_name;
  for (Step& s : steps_) {
    if (s.running.instance) by_name[s.name] = &s.running;
  }
  std::vector<lifecycle::LiveInstance> plans;
  for (const std::string& name : current_.graph.start_order()) {
    if (auto it = by_name.find(name); it != by_name.end()) plans.push_back(std::move(*it->second));
  }
  lifecycle_.adopt_instances(std::move(plans));
}

}  // namespace hyperion::reload
