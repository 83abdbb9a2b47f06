// ReloadTransaction: applies a whole new desired configuration to the running
// instances, all of it or none of it (DESIGN.md, "Atomic reload with rollback").
//
//  1. Classify each instance: keep, reload (only dynamic fields changed and the
//     plugin can reload), swap (the library changed, or a static field of a
//     plugin with the "swap" capability: make-before-break, docs/hot-swap.md),
//     restart (any other static change), add, remove. A static change is
//     refused instead when the policy says so.
//  2. Prepare in the new start order: reload_prepare for reloads; create (not
//     start) the new instance for swaps, restarts and additions. Any failure:
//     abort or destroy everything prepared; nothing changed.
//  3. Commit in the same order: reload_commit; stop the old and start the new
//     instance; start the successor beside the old instance (its state handed
//     over first, new uses switched to it as it publishes); start additions.
//     Any failure: roll every committed instance back to its previous
//     configuration (prepare + commit of the old config, the successor stopped
//     so the old instance serves again, or a fresh instance with the old
//     config), in reverse order.
//  4. Stop and destroy what was swapped out and what was removed, in reverse of
//     the old start order.
//
// Thread-safety: one transaction at a time per Lifecycle (the caller serializes).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>

#include "lifecycle/lifecycle.h"
#include "planning/resolved_app.h"
#include "reload/config_diff.h"
#include "reload/reload_result.h"

namespace hyperion::reload {

class ReloadTransaction {
 public:
  // Makes the live (not yet created) instance for a resolved one.
  using InstanceFactory = std::function<lifecycle::LiveInstance(const planning::ResolvedInstance& resolved,
                                                                const graph::DependencyGraph& graph)>;

  struct Policy {
    bool refuse_static_changes = false;           // refuse instead of restarting
    std::chrono::milliseconds call_timeout{10000};  // per reload_prepare/commit/abort/state call
    size_t max_state_bytes = 64 * 1024 * 1024;      // what one state_export may write
    std::string must_swap;                          // an instance that must swap, not restart (hyperion swap)
  };

  ReloadTransaction(const planning::ResolvedApp& current, const planning::ResolvedApp& next,
                    lifecycle::Lifecycle& lifecycle, InstanceFactory make_instance, Policy policy);

  // Runs the transaction. On kApplied/kUnchanged the lifecycle holds the new set
  // of instances (in the new start order); otherwise the old set, as it was.
  ReloadResult run();

 private:
  enum class Action { kKeep, kReload, kRestart, kAdd, kRemove, kSwap };
  // kOldStopped: a restart whose old instance is stopped and whose new one has
  // not started yet (the commit stops every restarting instance first).
  enum class Progress { kNone, kPrepared, kOldStopped, kCommitted };
  struct Step {
    std::string name;
    Action action = Action::kKeep;
    const planning::ResolvedInstance* before = nullptr;
    const planning::ResolvedInstance* after = nullptr;
    std::vector<FieldChange> changes;
    std::string restart_reason;
    lifecycle::LiveInstance running;    // the instance running now (keep/reload/restart/remove)
    lifecycle::LiveInstance successor;  // the new instance (restart/add/swap)
    Progress progress = Progress::kNone;
  };

  void classify(std::map<std::string, lifecycle::LiveInstance>& running);
  // Whether `step` (a library or static change) can be a swap, and why not.
  [[nodiscard]] bool swappable(const Step& step, bool static_change, std::string& why_not) const;
  // Commits a swap: hands the state over, starts the successor (which covers
  // the old instance's services). On failure the old instance serves as before.
  Status swap_in(Step& step);
  // Stops and destroys what the swaps replaced (after every commit succeeded).
  void retire_swapped();
  ReloadResult fail(ReloadOutcome outcome, ReloadError error, const Step& step, const Status& why);
  void abort_prepared();
  void roll_back_committed();
  void restore_old_set();
  [[nodiscard]] std::chrono::steady_clock::time_point call_deadline() const;

  const planning::ResolvedApp& current_;
  const planning::ResolvedApp& next_;
  lifecycle::Lifecycle& lifecycle_;
  InstanceFactory make_instance_;
  Policy policy_;
  std::vector<Step> steps_;  // additions/changes in the new start order, then removals
  ReloadResult result_;
};

}  // namespace hyperion::reload
